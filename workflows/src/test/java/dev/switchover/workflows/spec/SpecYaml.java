package dev.switchover.workflows.spec;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Spec texts for tests: the minimal valid spec with one field changed, and its problems. */
final class SpecYaml {
    private static final YAMLMapper YAML = new YAMLMapper();

    private SpecYaml() {}

    static String resource(String name) {
        try (InputStream in = SpecYaml.class.getResourceAsStream("/specs/" + name)) {
            if (in == null) throw new IllegalStateException("no test resource specs/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The examples directory at the top of the repository (tests run in workflows/). */
    static Path example(String name) {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !dir.resolve("examples").toFile().isDirectory()) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no examples directory above the working directory");
        return dir.resolve("examples").resolve(name);
    }

    static ObjectNode minimal() {
        try {
            return (ObjectNode) YAML.readTree(resource("minimal.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The minimal spec with {@code value} at the dotted {@code path}, as YAML text. */
    static String with(String path, Object value) {
        ObjectNode root = minimal();
        set(root, path, value);
        return text(root);
    }

    /** The minimal spec without the field at the dotted {@code path}, as YAML text. */
    static String without(String path) {
        ObjectNode root = minimal();
        String[] parts = path.split("\\.");
        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) parent = (ObjectNode) parent.get(parts[i]);
        if (parent.remove(parts[parts.length - 1]) == null) fail("minimal.yaml has no " + path);
        return text(root);
    }

    static void set(ObjectNode root, String path, Object value) {
        String[] parts = path.split("\\.");
        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = parent.get(parts[i]);
            parent = child instanceof ObjectNode o ? o : parent.putObject(parts[i]);
        }
        parent.set(parts[parts.length - 1], YAML.valueToTree(value));
    }

    static String text(JsonNode root) {
        try {
            return YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InvalidSpecException rejected(String yaml) {
        return assertThrows(InvalidSpecException.class, () -> SpecLoader.parse(yaml, "test.yaml"));
    }

    static List<String> fields(InvalidSpecException e) {
        return e.problems().stream().map(SpecProblem::field).collect(Collectors.toList());
    }

    /** The only problem of {@code yaml}; fails if there are none or several. */
    static SpecProblem onlyProblem(String yaml) {
        InvalidSpecException e = rejected(yaml);
        if (e.problems().size() != 1) fail("expected one problem, got:\n" + e.getMessage());
        return e.problems().get(0);
    }
}
