package dev.switchover.workflows.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a migration spec from YAML and refuses it with every problem at once, each naming its
 * field and the fix. Shape problems (unknown fields, wrong types) are found on the YAML tree; the
 * parts that are well formed are then bound and given to {@link SpecValidator}, so one run shows
 * a typo, a bad port and an inline password together. Used by the CLI, never by the workflow (it
 * reads files).
 */
public final class SpecLoader {
    private static final String FILE = "(file)";

    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    private static final ObjectMapper BINDER = JsonMapper.builder().build();

    private SpecLoader() {}

    /** Reads, checks and completes the spec in {@code file}; throws InvalidSpecException. */
    public static MigrationSpec load(Path file) {
        String origin = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw fileProblem(origin, "does not exist; check the path");
        } catch (AccessDeniedException e) {
            throw fileProblem(origin, "cannot be read (permission denied); check the file's owner and mode");
        } catch (CharacterCodingException e) {
            throw fileProblem(origin, "is not UTF-8 text; save it as UTF-8");
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw fileProblem(origin, "cannot be read (" + why + "); check that it is a readable file");
        }
        return parse(text, origin);
    }

    /**
     * Checks and completes the spec written in {@code yaml}; {@code origin} names it in the
     * exception's message (a file name, or "standard input").
     */
    public static MigrationSpec parse(String yaml, String origin) {
        JsonNode root = readSingleDocument(yaml, origin);
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw fileProblem(
                    origin,
                    "holds no spec; write a mapping with name, engine, source, target and"
                            + " replication (see examples/postgresql.yaml)");
        }
        if (!root.isObject()) {
            throw fileProblem(
                    origin,
                    "must be a mapping at the top level (name: ..., engine: ..., source:" + " ...), not "
                            + (root.isArray() ? "a list" : "a single value"));
        }
        SpecShape.Result shape = SpecShape.check((ObjectNode) root);
        List<SpecProblem> problems = new ArrayList<>(shape.problems());
        MigrationSpec raw = null;
        try {
            raw = BINDER.treeToValue(shape.accepted(), MigrationSpec.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // The shape check admits only what binds, so this is a gap in it; the message is not
            // repeated because it may quote a value.
            problems.add(new SpecProblem(pathOf(e), "cannot be read; check its type against examples/postgresql.yaml"));
        }
        if (raw != null) {
            for (SpecProblem p : SpecValidator.validate(raw)) {
                if (!isExplained(p.field(), shape.explained())) problems.add(p);
            }
        }
        if (!problems.isEmpty()) throw new InvalidSpecException(origin, inDocumentOrder(problems, root));
        return raw.withDefaults();
    }

    /** The spec as YAML, for showing the effective values (after defaults) before starting. */
    public static String toYaml(MigrationSpec spec) {
        try {
            return YAML.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the spec cannot be written as YAML", e);
        }
    }

    private static JsonNode readSingleDocument(String yaml, String origin) {
        try (JsonParser parser = YAML.createParser(yaml)) {
            JsonNode root = YAML.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw fileProblem(origin, "holds more than one YAML document (---); keep one migration per file");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw syntaxProblem(origin, e);
        } catch (IOException e) {
            throw fileProblem(origin, "cannot be read; check that it is a readable file");
        }
    }

    /**
     * Built from the problem and its position only: YAML's own message quotes the offending line,
     * which may be a password.
     */
    private static InvalidSpecException syntaxProblem(String origin, JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser p
                && String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
            String field = dotted(p.getParsingContext());
            return new InvalidSpecException(
                    origin,
                    List.of(new SpecProblem(
                            field,
                            "is written twice in the same mapping; keep one (YAML would silently use the last)")));
        }
        String where = "";
        String what = "it is not valid YAML";
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            where = " at line " + (m.getProblemMark().getLine() + 1) + ", column "
                    + (m.getProblemMark().getColumn() + 1);
            if (m.getProblem() != null) what = "it is not valid YAML (" + m.getProblem() + ")";
        } else if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            where = " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
        }
        return fileProblem(
                origin,
                "cannot be read" + where + ": " + what + "; check the indentation and"
                        + " quoting there (indent with spaces, and quote values that contain ': ' or start with a"
                        + " special character)");
    }

    private static String dotted(JsonStreamContext context) {
        List<String> names = new ArrayList<>();
        for (JsonStreamContext c = context; c != null; c = c.getParent()) {
            if (c.getCurrentName() != null) names.add(0, c.getCurrentName());
        }
        return names.isEmpty() ? FILE : String.join(".", names);
    }

    private static String pathOf(Exception e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() == null) continue;
                if (b.length() > 0) b.append('.');
                b.append(r.getFieldName());
            }
            if (b.length() > 0) return b.toString();
        }
        return FILE;
    }

    /** True if a shape problem on {@code field} or on a mapping around it already explains it. */
    private static boolean isExplained(String field, Set<String> explained) {
        for (String e : explained) {
            if (field.equals(e) || field.startsWith(e + ".")) return true;
        }
        return false;
    }

    /**
     * Sorted by where each field appears in the document. A missing field goes right after the
     * mapping that should hold it (the end of the document for a missing top-level field).
     */
    private static List<SpecProblem> inDocumentOrder(List<SpecProblem> problems, JsonNode root) {
        Map<String, Integer> start = new HashMap<>();
        Map<String, Integer> end = new HashMap<>();
        int last = number(root, "", new int[] {0}, start, end);
        start.put("", -1);
        end.put("", last);
        List<SpecProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingDouble(p -> position(p.field(), start, end)));
        return sorted;
    }

    private static int number(
            JsonNode node, String prefix, int[] next, Map<String, Integer> start, Map<String, Integer> end) {
        int last = next[0] - 1;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String path = prefix + e.getKey();
            int index = next[0]++;
            start.put(path, index);
            last = e.getValue().isObject() ? number(e.getValue(), path + ".", next, start, end) : index;
            last = Math.max(last, index);
            end.put(path, last);
        }
        return last;
    }

    private static double position(String field, Map<String, Integer> start, Map<String, Integer> end) {
        if (start.containsKey(field)) return start.get(field);
        String prefix = field;
        while (!prefix.isEmpty()) {
            int dot = prefix.lastIndexOf('.');
            prefix = dot < 0 ? "" : prefix.substring(0, dot);
            // Where mappings end together, the inner one's missing fields come first.
            if (end.containsKey(prefix)) return end.get(prefix) + 0.5 - depth(prefix) * 0.001;
        }
        return end.get("") + 0.5;
    }

    private static int depth(String path) {
        return path.isEmpty() ? 0 : path.split("\\.").length;
    }

    private static InvalidSpecException fileProblem(String origin, String message) {
        return new InvalidSpecException(origin, List.of(new SpecProblem(FILE, origin + " " + message)));
    }
}
