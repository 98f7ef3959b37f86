package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged launcher, as an operator runs it. */
class LauncherIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Run(int exit, String out) {}

    private static Run launch(String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(java.util.List.of("java", "-jar", "target/switchover.jar"));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // A closed port: nothing here may need a Temporal server.
        pb.environment().put("TEMPORAL_ADDRESS", "127.0.0.1:1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    @Test
    void startWithTheBadExampleExitsTwoAndNamesEveryBadField() throws Exception {
        Run r = launch("start", ROOT.resolve("examples/bad.yaml").toString());
        assertEquals(2, r.exit(), r.out());
        for (String field : new String[] {
            "engine", "source.database.adminPassword", "source.database.port", "target.address", "target.databse"
        }) {
            assertTrue(r.out().contains(field + ":"), field + " missing from:\n" + r.out());
        }
        assertFalse(r.out().contains("cannot reach Temporal"), "validation comes before any connection");
    }

    @Test
    void theExampleSpecIsValid() throws Exception {
        Run r = launch(
                "validate",
                "--offline",
                ROOT.resolve("examples/postgresql.yaml").toString());
        assertEquals(0, r.exit(), r.out());
    }

    @Test
    void everyVerbIsThere() throws Exception {
        Run r = launch("--help");
        for (String verb : new String[] {
            "start", "status", "approve", "abort", "pause", "resume", "list", "validate", "worker", "demo"
        }) {
            assertTrue(r.out().contains(verb), verb + " missing from --help:\n" + r.out());
        }
    }

    @Test
    void theProductionJarCarriesNoTestFixtures() throws Exception {
        try (var jar = new java.util.jar.JarFile("target/switchover.jar")) {
            var fixtures = jar.stream()
                    .map(java.util.jar.JarEntry::getName)
                    .filter(n -> n.startsWith("dev/switchover/testkit/"))
                    .toList();
            assertEquals(java.util.List.of(), fixtures);
        }
        // The demo verb stays, and says where it runs instead of failing on a missing class.
        Run r = launch("demo");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("run `make demo` there") || r.out().contains("need root on Linux"), r.out());
        assertFalse(r.out().contains("NoClassDefFoundError"), r.out());
    }
}
