package dev.switchover.workflows.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.TestSpecs;
import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.InvalidSpecException;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.spec.SpecProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetLoaderTest {
    @TempDir
    Path dir;

    private Path spec(String file, String name, int n, CutoverMode mode) throws IOException {
        Path p = dir.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(
                p,
                SpecLoader.toYaml(TestSpecs.named(
                        TestSpecs.spec(mode), name, "198.18.0." + (100 + 2 * n), "198.18.0." + (101 + 2 * n))));
        return p;
    }

    private Path fleet(String yaml) throws IOException {
        return Files.writeString(dir.resolve("fleet.yaml"), yaml);
    }

    private List<String> problems(String yaml) throws IOException {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> FleetLoader.load(fleet(yaml)));
        return e.problems().stream().map(SpecProblem::toString).toList();
    }

    @Test
    void wavesOfSpecFilesRelativeToTheFleetFileWithDefaults() throws IOException {
        spec("specs/a.yaml", "a", 1, CutoverMode.MANUAL);
        spec("specs/b.yaml", "b", 2, CutoverMode.MANUAL);
        spec("c.yaml", "c", 3, CutoverMode.AUTOMATIC);
        FleetSpec f = FleetLoader.load(fleet("""
        fleet: warehouse
        concurrency: 2
        waves:
          - name: canary
            migrations: [specs/a.yaml]
          - migrations: [specs/b.yaml, c.yaml]
        """));
        assertEquals("warehouse", f.name());
        assertEquals("switchover-fleet-warehouse", f.workflowId());
        assertEquals(2, f.concurrency());
        assertEquals(FleetApproval.DATABASE, f.approval());
        assertEquals(FailurePolicy.STOP_WAVE, f.onFailure());
        assertEquals(
                List.of("canary", "wave-2"),
                f.waves().stream().map(FleetSpec.WaveSpec::name).toList());
        assertEquals(
                List.of("b", "c"),
                f.waves().get(1).migrations().stream().map(m -> m.name()).toList());
        assertEquals(
                CutoverMode.AUTOMATIC,
                f.waves().get(1).migrations().get(1).cutover().mode());
    }

    @Test
    void everyProblemAtOnceUnderTheFieldThatNamesIt() throws IOException {
        spec("a.yaml", "a", 1, CutoverMode.MANUAL);
        spec("b.yaml", "b", 1, CutoverMode.AUTOMATIC);
        Files.writeString(
                dir.resolve("broken.yaml"),
                Files.readString(spec("x.yaml", "x", 5, CutoverMode.MANUAL)).replace("name: x", "name: Not_A_Name"));
        List<String> problems = problems("""
        fleet: warehouse
        concurrency: 0
        approval: everyone
        retries: 3
        waves:
          - name: w
            migrations: [a.yaml, missing.yaml, broken.yaml]
        """);
        assertTrue(
                problems.contains("retries: is not a fleet setting; the settings are approval, concurrency, fleet,"
                        + " onFailure, waves"),
                problems.toString());
        assertTrue(
                problems.contains("approval: is 'everyone'; write database (each migration approved on its own) or wave"
                        + " (one approval per wave)"),
                problems.toString());
        assertTrue(
                problems.stream()
                        .anyMatch(p -> p.startsWith("waves[0].migrations[1] (missing.yaml): (file): ")
                                && p.endsWith("missing.yaml does not exist; check the path")),
                problems.toString());
        assertTrue(
                problems.stream()
                        .anyMatch(p -> p.startsWith("waves[0].migrations[2] (broken.yaml): name: 'Not_A_Name'"
                                + " cannot become a workflow id")),
                problems.toString());
        assertTrue(
                problems.contains("concurrency: is 0; give how many migrations may run at once, 1 to 20"),
                problems.toString());
        assertEquals(5, problems.size(), problems.toString());
    }

    @Test
    void crossChecksOnceEverySpecIsValid() throws IOException {
        spec("a.yaml", "a", 1, CutoverMode.MANUAL);
        Files.writeString(
                dir.resolve("b.yaml"),
                Files.readString(spec("b0.yaml", "b", 2, CutoverMode.AUTOMATIC))
                        .replace("198.18.0.105", "198.18.0.103"));
        List<String> problems = problems("""
        fleet: warehouse
        concurrency: 0
        approval: wave
        waves:
          - migrations: [a.yaml]
          - migrations: [b.yaml]
        """);
        assertTrue(
                problems.contains("concurrency: is 0; give how many migrations may run at once, 1 to 20"),
                problems.toString());
        assertTrue(
                problems.contains("waves[1].migrations[0].target.address: 198.18.0.103 is also the target of"
                        + " waves[0].migrations[0]; two base copies into one host would overwrite each other. Give each migration its"
                        + " own target"),
                problems.toString());
        assertTrue(
                problems.contains(
                        "waves[1].migrations[0].cutover.mode: is automatic, but the fleet's approval is wave:"
                                + " the wave's approval would never be asked for. Use cutover.mode: manual, or approval: database"),
                problems.toString());
    }

    @Test
    void theExampleFleetLoads() {
        FleetSpec f = FleetLoader.load(Path.of("../examples/fleet.yaml"));
        assertEquals("warehouse", f.name());
        assertEquals(FleetApproval.WAVE, f.approval());
        assertEquals("canary", f.waves().get(0).name());
        assertEquals(
                CutoverMode.MANUAL,
                f.waves().get(0).migrations().get(0).cutover().mode());
    }

    @Test
    void aFleetWithoutWavesSaysWhatToWrite() throws IOException {
        assertEquals(
                List.of("waves: is required; list the waves, each with its migrations' spec files"),
                problems("fleet: warehouse\n"));
    }
}
