package dev.switchover.bench;

import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.SetChecker;
import dev.switchover.testkit.SetWriter;
import dev.switchover.worker.demo.EmbeddedTemporal;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.status.StepRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One migration with automatic cutover under a writer committing about 500 transactions a second,
 * run by the production worker in this process against an embedded Temporal server.
 */
final class CutoverRun {
    /** The cutover steps, in order: the application's pause falls in these. */
    static final List<Phase> CUTOVER_STEPS =
            List.of(Phase.FREEZE_WRITES, Phase.VERIFY_SYNC, Phase.PROMOTE, Phase.SWITCH_TRAFFIC);
    /**
     * The window of the gap: from the freeze's start to this long after the traffic switch ended,
     * so that a writer still reconnecting after the switch is counted, and a hiccup during the
     * copy or catch-up is not.
     */
    static final Duration WINDOW_AFTER = Duration.ofSeconds(3);

    private final CutoverLab lab;
    private final Consumer<String> say;

    CutoverRun(CutoverLab lab, Consumer<String> say) {
        this.lab = lab;
        this.say = say;
    }

    CutoverFigures measure(int run, Path dir) throws Exception {
        Files.createDirectories(dir);
        lab.fresh();
        MigrationSpec spec = SpecLoader.load(writeSpec("cutover-" + lab.engine() + "-" + run, dir));
        SetWriter writer = lab.writer(dir);
        AtomicReference<List<StepRecord>> steps = new AtomicReference<>(List.of());
        String failure = null;
        long started = System.nanoTime();
        writer.start();
        // A real Temporal server (SQLite on disk), as in production: its persistence is part of every
        // step's latency, and so of the pause.
        try (DevServer server = DevServer.start(dir.resolve("temporal.db"));
                EmbeddedTemporal temporal = EmbeddedTemporal.workerFor(server.address())) {
            MigrationResult done = temporal.migrate(spec, steps::set);
            Phase end = done.status().phase();
            if (end != Phase.DONE)
                failure = "ended in " + end + ": " + done.status().failure();
        } catch (ExecutionException e) {
            failure = rootMessage(e);
        } finally {
            Thread.sleep(WINDOW_AFTER.toMillis());
            writer.stop();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return figures(run, failure, writer, steps.get(), seconds);
    }

    private CutoverFigures figures(int run, String failure, SetWriter writer, List<StepRecord> steps, double seconds)
            throws Exception {
        Map<Phase, StepRecord> last = new LinkedHashMap<>();
        for (StepRecord s : steps) last.put(s.phase(), s);
        Map<String, Double> stepSeconds = new LinkedHashMap<>();
        for (Phase p : CUTOVER_STEPS) {
            StepRecord s = last.get(p);
            if (s != null && s.ended() != null) {
                stepSeconds.put(
                        p.name(),
                        Stats.round(Duration.between(s.started(), s.ended()).toNanos() / 1e9));
            }
        }
        Double gap = null;
        StepRecord freeze = last.get(Phase.FREEZE_WRITES);
        if (freeze != null) {
            StepRecord switched = last.get(Phase.SWITCH_TRAFFIC);
            Instant end = switched != null && switched.ended() != null ? switched.ended() : Instant.now();
            gap = Stats.round(writer.longestGapSeconds(freeze.started(), end.plus(WINDOW_AFTER)));
        }
        Map<Long, SetWriter.Outcome> outcomes = writer.outcomes();
        long failed = outcomes.values().stream()
                .filter(o -> o == SetWriter.Outcome.FAILED)
                .count();
        long unknown = outcomes.values().stream()
                .filter(o -> o == SetWriter.Outcome.UNKNOWN)
                .count();
        CutoverFigures f;
        if (failure == null) {
            SetChecker.Verdict v = SetChecker.check(outcomes, idsOn(lab.pair().targetAddress()));
            f = new CutoverFigures(
                    run,
                    true,
                    null,
                    gap,
                    Stats.round(writer.longestGapSeconds()),
                    v.acknowledged(),
                    (long) v.lost().size(),
                    (long) v.unexpected().size(),
                    (long) v.failedButPresent().size(),
                    failed,
                    unknown,
                    lab.logins(),
                    stepSeconds,
                    Stats.round(seconds),
                    rate(v.acknowledged(), seconds));
        } else {
            // Which server holds the writes depends on how far it got; a failed run's loss is not measured.
            f = new CutoverFigures(
                    run,
                    false,
                    failure,
                    gap,
                    Stats.round(writer.longestGapSeconds()),
                    writer.acknowledged(),
                    null,
                    null,
                    null,
                    failed,
                    unknown,
                    lab.logins(),
                    stepSeconds,
                    Stats.round(seconds),
                    rate(writer.acknowledged(), seconds));
        }
        say.accept(String.format(
                java.util.Locale.ROOT,
                "%s run %d: %s, gap %s s, %d acknowledged (%.0f/s), lost %s, failed %d, unknown %d, %d login(s), steps %s",
                lab.engine(),
                run,
                f.done() ? "DONE" : "FAILED (" + failure + ")",
                gap,
                f.acknowledged(),
                f.commitsPerSecond(),
                f.lost(),
                failed,
                unknown,
                f.writerLogins(),
                stepSeconds));
        return f;
    }

    private static double rate(long commits, double seconds) {
        return Math.round(commits / seconds);
    }

    private Set<Long> idsOn(String address) throws Exception {
        Set<Long> ids = new HashSet<>();
        try (Connection c = lab.pair().connect(address);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id FROM " + lab.pair().table(CutoverLab.WRITES))) {
            while (rs.next()) ids.add(rs.getLong(1));
        }
        return ids;
    }

    /**
     * The lab's fast pacing (a short disk benchmark and catch-up hold) and no backup after
     * promotion: both come before or after the cutover and would only lengthen each run.
     */
    private Path writeSpec(String name, Path dir) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, lab.spec(name, dir));
        return file;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
