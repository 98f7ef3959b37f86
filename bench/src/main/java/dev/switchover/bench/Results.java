package dev.switchover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * latest.json and latest.md. A section is replaced only by a new run of its benchmark, so the
 * file always holds the latest figure of each, with the machine of the latest run.
 */
final class Results {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final ObjectNode root;

    private Results(ObjectNode root) {
        this.root = root;
    }

    static Results load(Path dir) throws IOException {
        Path file = dir.resolve("latest.json");
        if (Files.exists(file) && JSON.readTree(file.toFile()) instanceof ObjectNode o) return new Results(o);
        return new Results(JSON.createObjectNode());
    }

    void machine(ObjectNode m) {
        root.set("machine", m);
    }

    /** The benchmark's section, emptied for its new figures. */
    /** The section as the last results file had it, or null. */
    ObjectNode earlier(String key) {
        JsonNode s = root.get(key);
        return s instanceof ObjectNode o ? o.deepCopy() : null;
    }

    ObjectNode section(String key) {
        ObjectNode s = JSON.createObjectNode();
        root.set(key, s);
        return s;
    }

    void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve("latest.json"), JSON.writeValueAsString(root) + "\n");
        write(dir.resolve("latest.md"), markdown());
    }

    private String markdown() {
        StringBuilder md = new StringBuilder("# switchover bench: latest results\n\n");
        JsonNode m = root.path("machine");
        md.append("Run ")
                .append(m.path("date").asText())
                .append(" on ")
                .append(m.path("cpus").asInt())
                .append(" CPUs (")
                .append(m.path("cpuModel").asText())
                .append("), ")
                .append(m.path("memoryGiB").asDouble())
                .append(" GiB RAM, ")
                .append(m.path("os").asText())
                .append(", Linux ")
                .append(m.path("kernel").asText())
                .append(", Java ")
                .append(m.path("java").asText())
                .append(". Lab hosts are network namespaces on this one machine,")
                .append(" sharing its CPUs and disk.\n");
        for (Benchmark.Name name : Benchmark.Name.values()) {
            JsonNode section = root.get(name.id());
            if (section != null)
                md.append("\n").append(name.create().markdown(section).strip()).append("\n");
        }
        return md.toString();
    }

    /** Written whole or not at all: a bench killed mid-write must not leave half a file. */
    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
