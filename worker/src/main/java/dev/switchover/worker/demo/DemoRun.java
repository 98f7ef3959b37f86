package dev.switchover.worker.demo;

import dev.switchover.testkit.DemoDialect;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabFlavor;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.testkit.PostgresDemoDialect;
import dev.switchover.testkit.SetChecker;
import dev.switchover.testkit.SetWriter;
import dev.switchover.testkit.TableFingerprint;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.status.StepRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A real migration on two local lab hosts, under a continuous writer: the lab is (re)made, the
 * source filled, a writer started, a Temporal server and worker started in this process, the
 * migration run with automatic cutover, and the result checked the way an operator would check
 * it (row counts and checksums, every acknowledged write on the new primary).
 */
public final class DemoRun {
    /** What the demo migrates, where it runs and what it is called. */
    public record Options(
            Engine engine,
            String name,
            String sourceName,
            String sourceAddress,
            LabFlavor sourceFlavor,
            String targetName,
            String targetAddress,
            LabFlavor targetFlavor,
            long rows,
            Path workDir,
            String method) {
        /** The demo of {@code engine}, on the engine's own pair of hosts ({@link DemoPair}). */
        public static Options of(Engine engine, long rows, Path workDir) {
            DemoPair pair = DemoPair.of(engine);
            return of(engine, pair.migration, pair.source, pair.target, rows, workDir);
        }

        /** A migration named {@code name} from {@code source} to {@code target}, each host of its own flavor. */
        public static Options of(Engine engine, String name, LabHost source, LabHost target, long rows, Path dir) {
            return new Options(
                    engine,
                    name,
                    source.hostName(),
                    source.address(),
                    source.flavor(),
                    target.hostName(),
                    target.address(),
                    target.flavor(),
                    rows,
                    dir,
                    null);
        }

        /**
         * The same migration by {@code method} (PostgreSQL's replication.method: physical, logical or
         * auto); a method that may need wal_level changed lets the source restart for it.
         */
        public Options withMethod(String method) {
            return new Options(
                    engine,
                    name,
                    sourceName,
                    sourceAddress,
                    sourceFlavor,
                    targetName,
                    targetAddress,
                    targetFlavor,
                    rows,
                    workDir,
                    method);
        }
    }

    private final Options o;
    private final Consumer<String> say;

    public DemoRun(Options options, Consumer<String> say) {
        this.o = options;
        this.say = say;
    }

    public DemoSummary run() throws Exception {
        say.accept("lab: hosts " + o.sourceName() + " (" + o.sourceAddress() + ") and " + o.targetName() + " ("
                + o.targetAddress() + ")");
        Lab.run(
                "up",
                o.sourceFlavor().host(o.sourceName(), o.sourceAddress()),
                o.targetFlavor().host(o.targetName(), o.targetAddress()));
        // Fresh clusters each run: the target of the last run is a promoted copy, which the wipe
        // guard rightly refuses to overwrite.
        Lab.run("reset", o.sourceName(), o.targetName());

        Files.createDirectories(o.workDir());
        Path primaryFile = o.workDir().resolve("primary");
        Files.writeString(primaryFile, o.sourceAddress() + "\n");
        Path replicationSecret = LabSpec.replicationSecret(o.workDir().resolve("replication-password"));
        Path specFile = o.workDir().resolve(o.name() + ".yaml");
        String text = spec(primaryFile, replicationSecret);
        if (o.method() != null)
            text = text.replace("\nreplication:\n", "\nreplication:\n  method: " + o.method() + "\n");
        Files.writeString(specFile, text);
        MigrationSpec spec = SpecLoader.load(specFile);

        String appPassword = Files.readString(LabSpec.secret(o.workDir().resolve("app-password")))
                .strip();
        DemoDialect db = DemoDialect.of(o.sourceFlavor(), LabSpec.adminPassword(), appPassword);
        seed(db);
        say.accept("source: " + o.rows() + " rows in " + db.ordersTable() + "; a writer inserts into "
                + db.writesTable() + " continuously");
        SetWriter writer = db.writer(SetWriter.fromFile(primaryFile), db.writesTable(), 2000);
        writer.start();

        long started = System.nanoTime();
        try (EmbeddedTemporal temporal = EmbeddedTemporal.start()) {
            say.accept("temporal: embedded server on " + temporal.address() + ", worker started");
            int[] reported = {0};
            MigrationResult done = temporal.migrate(spec, steps -> reported[0] = report(steps, reported[0]));
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            Thread.sleep(2000); // let the writer show that it writes to the new primary
            writer.stop();
            return summarise(done, writer, db, seconds);
        } finally {
            writer.stop();
        }
    }

    private int report(List<StepRecord> steps, int reported) {
        for (; reported < steps.size() && steps.get(reported).ended() != null; reported++) {
            StepRecord step = steps.get(reported);
            say.accept(String.format("%-15s %-8s %s", step.phase(), step.outcome(), step.detail()));
        }
        return reported;
    }

    private DemoSummary summarise(MigrationResult done, SetWriter writer, DemoDialect db, long seconds)
            throws SQLException {
        Set<Long> present = new HashSet<>();
        TableFingerprint sourceTable;
        TableFingerprint targetTable;
        try (Connection t = db.admin(o.targetAddress());
                Statement st = t.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id FROM " + db.writesTable())) {
                while (rs.next()) present.add(rs.getLong(1));
            }
            targetTable = db.fingerprint(t, db.ordersTable());
        }
        // The application's first insert on the new primary, with the id its table hands out: after
        // the fingerprints, which compare the copy as it was.
        long nextId;
        try (Connection t = db.admin(o.targetAddress())) {
            nextId = db.insertWithNextId(t, db.ordersTable());
        }
        boolean targetPrimary = db.servesAsPrimary(o.targetAddress(), db.writesTable());
        try (Connection s = db.admin(o.sourceAddress())) {
            sourceTable = db.fingerprint(s, db.ordersTable());
        }
        boolean sourceRefusesWrites = db.refusesWrites(o.sourceAddress(), db.writesTable());
        SetChecker.Verdict v = SetChecker.check(writer.outcomes(), present);
        return new DemoSummary(
                sourceTable.rows(),
                targetTable.rows(),
                sourceTable.checksum().equals(targetTable.checksum()),
                v.acknowledged(),
                v.lost().size(),
                v.unexpected().size(),
                v.failedButPresent().size(),
                v.unknown(),
                writer.longestGapSeconds(),
                targetPrimary ? o.targetAddress() : null,
                sourceRefusesWrites,
                done.status().phase() == Phase.DONE,
                seconds,
                done.report().markdown(),
                nextId);
    }

    /** The orders to migrate, the writer's table, and the application's account, on the source. */
    private void seed(DemoDialect db) throws SQLException {
        try (Connection c = db.admin(o.sourceAddress())) {
            db.seedOrders(c, db.ordersTable(), o.rows());
            db.createWrites(c, db.writesTable());
            db.createApp(c);
        }
    }

    /** The lab's admin login to a host's PostgreSQL (also for the tests). */
    public static Connection connect(String address, String password) throws SQLException {
        return PostgresDemoDialect.connect(address, password);
    }

    private String spec(Path primaryFile, Path replicationSecret) {
        String products = o.sourceFlavor() == o.targetFlavor()
                ? o.sourceFlavor().product()
                : o.sourceFlavor().product() + " to " + o.targetFlavor().product();
        return """
        # Written by the demo: a %s migration between two local lab hosts.
        %sbenchmark:
          # The lab's hosts share this machine's disk (and a busy one measures far below its idle
          # figure); the production default is 10000.
          minIops: 100
          size: 64M
          runtime: 5s
          numJobs: 1
        catchUp:
          holdFor: 5s
          pollEvery: 1s
          deadline: 10m
        cutover:
          mode: automatic%s
        traffic:
          type: command
          command:
            # The demo's writer reads its primary from this file, as an application follows DNS.
            command: printf '%%s\\n' %s > %s
        report:
          directory: %s
        """.formatted(
                        products,
                        LabSpec.specHead(
                                o.name(),
                                o.sourceFlavor(),
                                o.sourceAddress(),
                                o.targetFlavor(),
                                o.targetAddress(),
                                replicationSecret),
                        o.method() == null
                                ? ""
                                : "\n  # wal_level = logical takes a restart of the source.\n  allowSourceRestart: true",
                        o.targetAddress(),
                        primaryFile,
                        o.workDir().resolve("reports"));
    }
}
