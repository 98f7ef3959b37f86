package dev.switchover.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** The machine the figures come from: they mean little without it. */
final class Machine {
    private Machine() {}

    static ObjectNode describe() {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("date", Instant.now().toString());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        m.put("memoryGiB", Math.round(kib("MemTotal") / 1024.0 / 1024.0 * 10) / 10.0);
        m.put("kernel", System.getProperty("os.version"));
        m.put("os", firstValue(Path.of("/etc/os-release"), "PRETTY_NAME").replace("\"", ""));
        m.put("java", System.getProperty("java.version"));
        return m;
    }

    private static long kib(String key) {
        String v = firstValue(Path.of("/proc/meminfo"), key).replaceAll("[^0-9]", "");
        return v.isEmpty() ? 0 : Long.parseLong(v);
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                int sep = line.indexOf(line.contains(":") ? ':' : '=');
                if (sep > 0 && line.substring(0, sep).strip().equals(key))
                    return line.substring(sep + 1).strip();
            }
        } catch (IOException e) {
            // an unknown field stays empty; the figures are still worth writing
        }
        return "";
    }
}
