package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, checked without a container engine: the services and start order people
 * rely on, the worker's image, pinned tags. When a compose CLI is installed, its own parser too.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");

    private static JsonNode compose() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
    }

    private static JsonNode service(String name) throws IOException {
        JsonNode s = compose().path("services").path(name);
        assertFalse(s.isMissingNode(), "docker-compose.yml has no service '" + name + "'");
        return s;
    }

    @Test
    void hasTheServicesOfARealInstallation() throws IOException {
        for (String name : List.of("postgresql", "schema", "temporal", "namespace", "ui", "worker")) {
            service(name);
        }
        assertTrue(service("temporal").path("image").asText().startsWith("temporalio/server:"));
        assertTrue(service("schema").path("image").asText().startsWith("temporalio/admin-tools:"));
        assertTrue(service("ui").path("image").asText().startsWith("temporalio/ui:"));
        assertTrue(service("postgresql").path("image").asText().startsWith("postgres:"));
    }

    @Test
    void schemaIsCreatedAndUpdatedForBothDatabasesBeforeTheServerStarts() throws IOException {
        String script = service("schema").path("command").toString();
        for (String step : List.of(
                "create-database",
                "setup-schema",
                "update-schema",
                "temporal_visibility",
                "postgresql/v12/$$dir/versioned")) {
            assertTrue(script.contains(step), "schema command lacks " + step);
        }
        assertEquals(
                "postgres12",
                service("schema").path("environment").path("SQL_PLUGIN").asText());
        assertEquals("service_healthy", condition("schema", "postgresql"));
        assertEquals("service_completed_successfully", condition("temporal", "schema"));
        assertEquals("service_healthy", condition("namespace", "temporal"));
        assertEquals("service_healthy", condition("ui", "temporal"));
        assertEquals("service_healthy", condition("worker", "temporal"));
        assertEquals("service_completed_successfully", condition("worker", "namespace"));
        for (String healthy : List.of("postgresql", "temporal")) {
            assertFalse(
                    service(healthy).path("healthcheck").path("test").isMissingNode(),
                    healthy + " needs a healthcheck");
        }
    }

    private static String condition(String service, String dependency) throws IOException {
        return service(service)
                .path("depends_on")
                .path(dependency)
                .path("condition")
                .asText("(none)");
    }

    @Test
    void everyImageIsPinnedAndNoneIsTheDeprecatedAutoSetup() throws IOException {
        List<String> images = new ArrayList<>();
        compose().path("services").forEach(s -> {
            if (s.has("image")) images.add(s.get("image").asText());
        });
        images.addAll(dockerfileBaseImages());
        for (String image : images) {
            assertFalse(image.contains("auto-setup"), image + ": auto-setup is deprecated; the schema service sets up");
            if (image.equals("switchover-worker:local")) continue; // built here, by the worker's build:
            Matcher m = Pattern.compile("^[^:]+:([^:@]+)").matcher(image.replaceFirst("^.*/", ""));
            assertTrue(m.find(), image + " has no tag");
            assertFalse(
                    m.group(1).equals("latest") || !m.group(1).matches(".*\\d+\\.\\d+.*"),
                    image + " must name a release (x.y...), not a moving tag");
        }
    }

    private static List<String> dockerfileBaseImages() throws IOException {
        return Files.readAllLines(dockerfile()).stream()
                .filter(l -> l.startsWith("FROM "))
                .map(l -> l.split("\\s+")[1])
                .collect(Collectors.toList());
    }

    private static Path dockerfile() throws IOException {
        JsonNode build = service("worker").path("build");
        Path context = ROOT.resolve(build.path("context").asText());
        assertTrue(Files.isDirectory(context), "worker build context " + context + " does not exist");
        Path file = context.resolve(build.path("dockerfile").asText("Dockerfile"));
        assertTrue(Files.isRegularFile(file), "worker Dockerfile " + file + " does not exist");
        return file;
    }

    @Test
    void workerImageRunsTheLauncherJarsWorkerCommand() throws IOException {
        String text = Files.readString(dockerfile());
        Matcher entry = Pattern.compile("(?m)^ENTRYPOINT\\s+(\\[.*])\\s*$").matcher(text);
        assertTrue(entry.find(), "the Dockerfile needs an exec-form ENTRYPOINT");
        List<String> argv = new ArrayList<>();
        new ObjectMapper().readTree(entry.group(1)).forEach(a -> argv.add(a.asText()));
        assertEquals(List.of("java", "-jar", "/app/switchover.jar", "worker"), argv);
        assertTrue(text.contains("/app/switchover.jar"), "the runtime stage must put the jar at /app/switchover.jar");
        assertTrue(text.contains("worker/target/switchover.jar"), "the build stage must take the shaded launcher jar");
        List<String> bases = dockerfileBaseImages();
        assertTrue(bases.get(0).startsWith("maven:") && bases.get(0).contains("eclipse-temurin-17"), bases.toString());
        assertTrue(bases.get(bases.size() - 1).startsWith("eclipse-temurin:17"), bases.toString());
    }

    @Test
    void workerTalksToTheServerAndReadsItsKeysAndSecretsReadOnly() throws IOException {
        JsonNode worker = service("worker");
        assertEquals(
                "temporal:7233",
                worker.path("environment").path("TEMPORAL_ADDRESS").asText());
        List<String> volumes = new ArrayList<>();
        worker.path("volumes").forEach(v -> volumes.add(v.asText()));
        assertTrue(volumes.stream().anyMatch(v -> v.contains(":/home/switchover/.ssh:ro")), volumes.toString());
        assertTrue(volumes.stream().anyMatch(v -> v.contains(":/run/secrets/switchover:ro")), volumes.toString());
        assertTrue(worker.path("command").toString().contains("--metrics-port"));
    }

    @Test
    void everyPublishedPortIsDocumentedInTheHeader() throws IOException {
        String header = Files.readAllLines(COMPOSE).stream()
                .takeWhile(l -> l.isEmpty() || l.startsWith("#"))
                .collect(Collectors.joining("\n"));
        var it = compose().path("services").fields();
        int published = 0;
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> s = it.next();
            for (JsonNode port : s.getValue().path("ports")) {
                String host = port.asText().split(":")[0];
                assertTrue(
                        Pattern.compile("(?m)^#\\s+" + host + "\\s+" + s.getKey() + "\\b")
                                .matcher(header)
                                .find(),
                        "port " + host + " of " + s.getKey() + " is not explained in the file's header");
                published++;
            }
        }
        assertEquals(3, published, "7233, 8080 and 9464 are published");
    }

    @Test
    void composeCliAcceptsTheFile() throws Exception {
        List<String> cli = composeCli();
        if (cli == null) {
            System.out.println("ComposeFileTest: SKIPPED `config -q`: neither docker-compose nor `docker compose`"
                    + " is installed (Debian: apt-get install docker-compose)");
        }
        assumeTrue(cli != null, "no docker-compose or `docker compose` on PATH");
        List<String> command = new ArrayList<>(cli);
        command.addAll(List.of("-f", COMPOSE.toString(), "config", "-q"));
        Process p = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " hung");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), String.join(" ", command) + " rejected the file:\n" + out);
    }

    /** The compose CLI that works here, or null. */
    private static List<String> composeCli() {
        for (List<String> candidate : List.of(List.of("docker-compose"), List.of("docker", "compose"))) {
            List<String> version = new ArrayList<>(candidate);
            version.add("version");
            try {
                Process p =
                        new ProcessBuilder(version).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return candidate;
            } catch (IOException | InterruptedException e) {
                // not installed
            }
        }
        return null;
    }
}
