package dev.switchover.worker.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.LabPgBouncer;
import dev.switchover.testkit.LabSpec;
import dev.switchover.testkit.OneWriterSampler;
import dev.switchover.testkit.SetChecker;
import dev.switchover.testkit.SetWriter;
import dev.switchover.workflows.Approval;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One migration between two lab hosts against a real Temporal server, with worker processes
 * that the test kills, and the checks the durability tests share: the source's exact data on
 * the target, nothing acknowledged lost, and how often each destructive step really ran (from
 * the worker logs and the target's own state, not from what the workflow believes). PostgreSQL
 * unless an engine is given; on MySQL and MariaDB the writer is the application's own account.
 */
final class LabMigration implements AutoCloseable {
    /** A source and a target lab host, each of its own flavor. */
    record Hosts(LabHost sourceHost, LabHost targetHost) {
        String source() {
            return sourceHost.hostName();
        }

        String sourceAddress() {
            return sourceHost.address();
        }

        String target() {
            return targetHost.hostName();
        }

        String targetAddress() {
            return targetHost.address();
        }

        String[] up() {
            return new String[] {"up", sourceHost.upArgument(), targetHost.upArgument()};
        }
    }

    /** What the spec asks for beyond the defaults every scenario shares. */
    record Options(String cutoverMode, String copyRate, boolean backup, boolean writer, String backupRate) {
        static Options automatic() {
            return new Options("automatic", null, false, false, null);
        }

        Options withRate(String rate) {
            return new Options(cutoverMode, rate, backup, writer, backupRate);
        }

        Options withBackupAndWriter() {
            return new Options(cutoverMode, copyRate, true, true, backupRate);
        }

        /** The post-promotion backup held to this rate (backup.maxRate), so it is still running when looked at. */
        Options withBackupRate(String rate) {
            return new Options(cutoverMode, copyRate, backup, writer, rate);
        }

        Options manual() {
            return new Options("manual", copyRate, backup, writer, backupRate);
        }
    }

    /** An activity step as the history shows it: scheduled events, the final attempt, completions. */
    /**
     * The activities of one type in a history: {@code attempts} per scheduled activity in order,
     * {@code lastAttempt} the highest of them, {@code retriedAfter} why the predecessor of the last
     * started attempt failed (empty if that was a first attempt).
     */
    record Activity(
            int scheduled,
            int lastAttempt,
            int completed,
            Instant lastStarted,
            String retriedAfter,
            List<Integer> attempts) {}

    /** Logged by the worker each time it empties the target for a copy (every engine says so). */
    static final String WIPE_LINE = "emptying it for the copy";

    /**
     * Where each engine keeps the copy's marker on the target, and what the worker logs each time
     * it promotes (not when a retry finds the target promoted).
     */
    private record EngineTraces(String marker, String promoteLine) {
        static EngineTraces of(Engine engine) {
            return switch (engine) {
                // Beside the data directory (TargetCluster): pg_basebackup empties the directory itself.
                case POSTGRESQL ->
                    new EngineTraces("/var/lib/postgresql/15/.switchover-main", "promoted with pg_promote()");
                // In the data directory (CopyMarker): the copy drops databases, never the directory.
                case MYSQL, MARIADB ->
                    new EngineTraces("/var/lib/mysql/.switchover-copy", "promoted: replication stopped and reset");
            };
        }
    }

    private final Engine engine;
    private final EngineTraces traces;
    private final WorkflowClient client;
    private final String temporalAddress;
    private final Hosts hosts;
    private final Path dir;
    private final String taskQueue;
    private final long rows;
    private final List<WorkerProcess> workers = new ArrayList<>();
    private final long t0 = System.nanoTime();
    private LabPair pair;
    private LabPgBouncer bouncer;
    private SetWriter writer;
    private MigrationWorkflow workflow;
    private java.util.function.UnaryOperator<String> specEdit = yaml -> yaml;

    LabMigration(DevServerClient temporal, Hosts hosts, Path dir, String taskQueue, long rows) {
        this(Engine.POSTGRESQL, temporal, hosts, dir, taskQueue, rows);
    }

    LabMigration(Engine engine, DevServerClient temporal, Hosts hosts, Path dir, String taskQueue, long rows) {
        this.engine = engine;
        this.traces = EngineTraces.of(engine);
        this.client = temporal.client;
        this.temporalAddress = temporal.server.address();
        this.hosts = hosts;
        this.dir = dir;
        this.taskQueue = taskQueue;
        this.rows = rows;
    }

    /** Fresh clusters (the last run's target is a promoted copy, which the wipe guard refuses) with data. */
    LabMigration prepare() throws Exception {
        pair = LabPair.up(hosts.sourceHost(), hosts.targetHost());
        pair.reset();
        // Backups of earlier runs outlive the cluster reset.
        onTarget("rm", "-rf", backupDirectory());
        Files.createDirectories(dir);
        pair.seedOrders(rows);
        pair.createWrites("writes");
        pair.createApp();
        return this;
    }

    /**
     * Puts PgBouncer on its own host in front of the source: the spec switches traffic through it
     * and the writer reaches the database only through it. After {@link #prepare}.
     */
    LabMigration throughPgBouncer(LabHost host) {
        bouncer = LabPgBouncer.up(pair, host.hostName(), host.address());
        bouncer.start();
        return this;
    }

    LabPgBouncer bouncer() {
        return bouncer;
    }

    /**
     * Where the target keeps its backups. Lab hosts share the machine's /var outside their
     * database directories (mysql hosts have their own root, but alike), so each target gets its own.
     */
    String backupDirectory() {
        return "/var/backups/switchover-" + hosts.target();
    }

    /** The current run's id (the stub addresses the migration by its id, whichever run is current). */
    String runId() {
        return WorkflowStub.fromTyped(workflow).describe().getExecution().getRunId();
    }

    MigrationWorkflow workflow() {
        return workflow;
    }

    Hosts hosts() {
        return hosts;
    }

    Path dir() {
        return dir;
    }

    LabPair pair() {
        return pair;
    }

    /** The spec this migration starts with, edited: for settings the scenarios rarely change. */
    LabMigration editingSpec(java.util.function.UnaryOperator<String> edit) {
        specEdit = edit;
        return this;
    }

    MigrationWorkflow start(String name, Options options) throws Exception {
        Files.writeString(primaryFile(), hosts.sourceAddress() + "\n");
        Path specFile = dir.resolve(name + ".yaml");
        Files.writeString(specFile, specEdit.apply(spec(name, options)));
        MigrationSpec spec = SpecLoader.load(specFile);
        workflow = client.newWorkflowStub(
                MigrationWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(spec.workflowId())
                        .setTaskQueue(taskQueue)
                        .setWorkflowRunTimeout(Duration.ofMinutes(15))
                        .build());
        if (options.copyRate() != null) Lab.run("rate", hosts.target(), options.copyRate());
        if (options.writer()) {
            writer = bouncer != null
                    ? new SetWriter(bouncer::address, address -> bouncer.connect("crash-matrix-writer"), "writes", 5000)
                    : pair.writer(SetWriter.fromFile(primaryFile()), "writes", 5000);
            writer.start();
        }
        WorkflowClient.start(workflow::migrate, spec, null);
        // By its id: after a continue-as-new the started run is no longer the one that answers.
        workflow = client.newWorkflowStub(MigrationWorkflow.class, spec.workflowId());
        say("started " + spec.workflowId() + " on task queue " + taskQueue);
        return workflow;
    }

    WorkerProcess startWorker() throws IOException {
        WorkerProcess w = WorkerProcess.start(temporalAddress, taskQueue, nextWorkerLog());
        workers.add(w);
        say("worker " + workers.size() + " started");
        return w;
    }

    WorkerProcess startCrashingWorker(CrashPoint point, Path reachedFile) throws IOException {
        WorkerProcess w = WorkerProcess.startCrashing(temporalAddress, taskQueue, point, reachedFile, nextWorkerLog());
        workers.add(w);
        say("worker " + workers.size() + " started, to freeze at " + point);
        return w;
    }

    /** Waits for the trap to close; fails if the worker died or the migration ended first. */
    void awaitCrashPoint(WorkerProcess worker, Path reached, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!Files.exists(reached)) {
            if (!worker.isAlive())
                throw new AssertionError("the worker died before its crash point:\n" + worker.logText());
            if (System.nanoTime() > deadline) {
                throw new AssertionError("crash point not reached within " + within.toSeconds() + " s; " + whereItIs()
                        + "\nthe worker log's last lines:\n" + worker.logTail(60));
            }
            Thread.sleep(100);
        }
    }

    /**
     * Where the migration stands, first in a failure's message: CI shows only the message's first
     * lines, and a migration stuck short of its crash point says why in its status, not its log.
     */
    private String whereItIs() {
        try {
            MigrationStatus s = workflow.status();
            return "the migration is at " + s.phase()
                    + (s.waitingFor() == null ? "" : ", waiting for " + s.waitingFor())
                    + (s.lag() == null ? "" : "; lag " + s.lag())
                    + (s.failure() == null ? "" : "; failure: " + s.failure());
        } catch (RuntimeException e) {
            return "its status cannot be read (" + e.getMessage() + ")";
        }
    }

    /**
     * The attempt of the activity a crashing worker froze in, from its reached file: after an
     * earlier attempt failed (a connection refused under load, then retried), "after:X" is reached
     * in a later one, and the kill's retry is the attempt after that.
     */
    static int frozenAttempt(Path reached) throws IOException {
        Matcher a = Pattern.compile(" attempt (\\d+) ").matcher(Files.readString(reached));
        if (!a.find()) throw new AssertionError("no attempt in " + reached);
        return Integer.parseInt(a.group(1));
    }

    private Path nextWorkerLog() {
        return dir.resolve("worker-" + (workers.size() + 1) + ".log");
    }

    /** Polls the status query (which needs a live worker) until {@code until} holds. */
    MigrationStatus awaitStatus(String what, Predicate<MigrationStatus> until, Duration within)
            throws InterruptedException {
        MigrationStatus reached = LabPair.awaitStatus(workflow, what, until, within, this::say);
        say("copy at " + pct(reached) + "%");
        return reached;
    }

    static double copyPercent(MigrationStatus s) {
        return s.copy() == null ? 0 : s.copy().percent();
    }

    static long pct(MigrationStatus s) {
        return Math.round(copyPercent(s));
    }

    /** Approval is refused while the target lags; a new worker needs a moment to sample lag. */
    void approve() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                workflow.approveCutover(new Approval("durability-test", "after a worker crash"));
                say("cutover approved");
                return;
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("approval never accepted", last);
    }

    /** Whether the migration has ended, however. */
    boolean ended() {
        return workflow.status().phase().isTerminal();
    }

    MigrationResult awaitDone(Duration within) throws Exception {
        MigrationResult r =
                WorkflowStub.fromTyped(workflow).getResult(within.toSeconds(), TimeUnit.SECONDS, MigrationResult.class);
        say("done: " + r.status().phase());
        assertEquals(Phase.DONE, r.status().phase(), "failure: " + r.status().failure());
        assertEquals(hosts.targetAddress(), r.newPrimary());
        return r;
    }

    // ---- what happened, from the history, the worker logs and the hosts ----

    Activity activity(String type) {
        List<Long> ids = new ArrayList<>();
        Map<Long, Integer> attempts = new LinkedHashMap<>();
        int attempt = 0;
        int completed = 0;
        Instant started = null;
        String retriedAfter = "";
        for (HistoryEvent e : client.fetchHistory(
                        WorkflowStub.fromTyped(workflow).getExecution().getWorkflowId())
                .getEvents()) {
            if (e.hasActivityTaskScheduledEventAttributes()
                    && e.getActivityTaskScheduledEventAttributes()
                            .getActivityType()
                            .getName()
                            .equals(type)) {
                ids.add(e.getEventId());
                attempts.put(e.getEventId(), 0);
            } else if (e.hasActivityTaskStartedEventAttributes()
                    && ids.contains(e.getActivityTaskStartedEventAttributes().getScheduledEventId())) {
                attempt = Math.max(
                        attempt, e.getActivityTaskStartedEventAttributes().getAttempt());
                attempts.put(
                        e.getActivityTaskStartedEventAttributes().getScheduledEventId(),
                        e.getActivityTaskStartedEventAttributes().getAttempt());
                // Written when the attempt ends, but stamped with the time the last attempt started.
                started = Instant.ofEpochSecond(
                        e.getEventTime().getSeconds(), e.getEventTime().getNanos());
                if (e.getActivityTaskStartedEventAttributes().hasLastFailure()) {
                    retriedAfter = e.getActivityTaskStartedEventAttributes()
                            .getLastFailure()
                            .getMessage();
                }
            } else if (e.hasActivityTaskCompletedEventAttributes()
                    && ids.contains(e.getActivityTaskCompletedEventAttributes().getScheduledEventId())) {
                completed++;
            }
        }
        return new Activity(ids.size(), attempt, completed, started, retriedAfter, List.copyOf(attempts.values()));
    }

    /** One copy attempt, one emptying of the target's data directory. */
    void assertCopiedOnce() throws IOException {
        assertEquals(1, activity("BaseCopy").lastAttempt(), "the copy was not repeated");
        assertEquals(1, wipes(), "the target was emptied once");
    }

    /** Promote scheduled, run and completed once: no retry was needed. */
    void assertPromotedOnceWithoutRetry() {
        Activity promote = activity("Promote");
        assertEquals(
                List.of(1, 1, 1),
                List.of(promote.scheduled(), promote.lastAttempt(), promote.completed()),
                "Promote scheduled, run (attempt 1) and completed exactly once");
        assertPromotedOnce();
    }

    /**
     * The target was promoted exactly once, whatever the retries: the worker logs say so. On
     * PostgreSQL the target is also exactly one timeline ahead of the source (each promotion starts
     * a new one); MySQL and MariaDB keep no such count, so {@link #assertTargetServesAndSourceRefuses}
     * checks their outcome.
     */
    void assertPromotedOnce() {
        assertEquals(1, logCount(traces.promoteLine()), "promotions in the worker logs (" + traces.promoteLine() + ")");
        if (engine != Engine.POSTGRESQL) return;
        long source = timeline(hosts.sourceAddress());
        long target = timeline(hosts.targetAddress());
        assertEquals(source + 1, target, "the target's timeline (one promotion from the source's " + source + ")");
    }

    /** PostgreSQL's marker once the copy is done (promotion leaves it as it is). */
    void assertCopyMarkedComplete() {
        String marker = copyMarker();
        assertTrue(marker.startsWith("complete "), "the copy's marker on the target: " + marker);
    }

    /** The copy's marker on the target: its state and the source it is a copy of. */
    String copyMarker() {
        return Lab.run("exec", hosts.target(), "cat", traces.marker());
    }

    /**
     * The new primary takes the application's writes (on MySQL and MariaDB, logged in as the
     * application's own account, copied with the data) and the old source refuses them.
     */
    void assertTargetServesAndSourceRefuses() throws SQLException {
        String writes = pair.table("writes");
        assertTrue(
                pair.dialect().servesAsPrimary(hosts.targetAddress(), writes),
                "the target is a primary and the application can write to it");
        assertTrue(
                pair.dialect().refusesWrites(hosts.sourceAddress(), writes),
                "the old source refuses the application's writes");
    }

    /**
     * Exactly one backup in the target's backup directory, and it is this run's and complete:
     * PostgreSQL's a pg_basebackup directory with its manifest, MySQL's and MariaDB's a gzipped
     * dump that gzip finds whole and that ends as a finished dump does.
     */
    void assertOneCompleteBackupOfThisRun(String name) {
        String ours = backupDirectory() + "/" + name + "-" + runId();
        if (engine == Engine.POSTGRESQL) {
            String backups =
                    onTarget("sh", "-c", "ls -d " + backupDirectory() + "/*/ | wc -l; ls " + ours + "/backup_manifest");
            assertEquals("1\n" + ours + "/backup_manifest", backups.strip(), "one complete backup of the new primary");
            return;
        }
        String file = ours + ".sql.gz";
        String backups = onTarget(
                "sh", "-c", "ls -A " + backupDirectory() + "; gzip -t " + file + " && zcat " + file + " | tail -n 1");
        String[] lines = backups.strip().split("\n");
        assertEquals(
                List.of(name + "-" + runId() + ".sql.gz"),
                List.of(lines).subList(0, lines.length - 1),
                "one backup in " + backupDirectory() + ", this run's: " + backups);
        assertTrue(lines[lines.length - 1].startsWith("-- Dump completed"), "the backup is a whole dump: " + backups);
    }

    int wipes() throws IOException {
        return logCount(WIPE_LINE);
    }

    int logCount(String line) {
        int n = 0;
        for (WorkerProcess w : workers) {
            try {
                n += w.logText().split(java.util.regex.Pattern.quote(line), -1).length - 1;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return n;
    }

    /** The traffic-switch hook's record: each run appends the address it switched to. */
    List<String> trafficSwitches() throws IOException {
        Path f = dir.resolve("switches");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    String onSource(String... command) {
        return Lab.run(concat("exec", hosts.source(), command));
    }

    /** The source's database server: SIGKILLed and started again (a crash and a supervisor's restart), or stopped, or started. */
    void crashAndRestartSource() {
        say("source's server SIGKILLed and started again");
        onSource(
                "sh",
                "-c",
                engine == Engine.POSTGRESQL
                        ? "kill -9 $(head -1 /var/lib/postgresql/15/main/postmaster.pid); sleep 1; pg_ctlcluster 15 main start"
                        : "kill -9 $(cat /run/mysqld/mysqld.pid); sleep 1; lab-mysqld start");
    }

    void stopSource() {
        say("source's server stopped");
        onSource(
                "sh",
                "-c",
                engine == Engine.POSTGRESQL ? "pg_ctlcluster 15 main stop -m immediate" : "lab-mysqld stop");
    }

    void startSource() {
        say("source's server started");
        onSource("sh", "-c", engine == Engine.POSTGRESQL ? "pg_ctlcluster 15 main start" : "lab-mysqld start");
    }

    /** The target's database server stopped at once, or started again. */
    void stopTarget() {
        say("target's server stopped");
        onTarget(
                "sh",
                "-c",
                engine == Engine.POSTGRESQL ? "pg_ctlcluster 15 main stop -m immediate" : "lab-mysqld stop");
    }

    void startTarget() {
        say("target's server started");
        onTarget("sh", "-c", engine == Engine.POSTGRESQL ? "pg_ctlcluster 15 main start" : "lab-mysqld start");
    }

    /**
     * A table {@code probe} and two clients on the clients' address that are not switchover: the
     * application and a DBA with every privilege, each turning the read-only default off in its
     * session. The hosts admit them from there.
     */
    OneWriterSampler sampleOneWriter() throws Exception {
        if (engine != Engine.POSTGRESQL) return sampleOneWriterOnMysql();
        for (LabHost host : List.of(hosts.sourceHost(), hosts.targetHost())) {
            // Debian's cluster "main" of the host's major version (postgres15, postgres17, ...).
            String major = host.flavor().id().replaceAll("\\D", "");
            String hba = "/etc/postgresql/" + major + "/main/pg_hba.conf";
            Lab.run(
                    "exec",
                    host.hostName(),
                    "sh",
                    "-c",
                    "grep -q '^host all probe_app,probe_dba' " + hba
                            + " || echo 'host all probe_app,probe_dba " + LabHost.CLIENT_ADDRESS
                            + "/32 scram-sha-256'"
                            + " >> " + hba + "; pg_ctlcluster " + major + " main reload");
        }
        try (Connection c = connect(hosts.sourceAddress());
                Statement st = c.createStatement()) {
            st.execute("CREATE ROLE probe_app LOGIN PASSWORD 'probe-app'");
            st.execute("CREATE ROLE probe_dba LOGIN SUPERUSER PASSWORD 'probe-dba'");
            st.execute("CREATE TABLE probe (id bigint PRIMARY KEY, door text)");
            st.execute("GRANT INSERT ON probe TO probe_app");
        }
        String url = "jdbc:postgresql://%s:5432/postgres?connectTimeout=2&socketTimeout=5";
        String off = "SET default_transaction_read_only = off";
        return sample(
                "probe",
                List.of(
                        new OneWriterSampler.Door(
                                "app", url, "probe_app", "probe-app", LabHost.CLIENT_ADDRESS, off, null),
                        new OneWriterSampler.Door(
                                "dba", url, "probe_dba", "probe-dba", LabHost.CLIENT_ADDRESS, off, null)));
    }

    /**
     * MySQL and MariaDB: the application with INSERT on the demo's database, and a DBA with every
     * privilege (MariaDB's READ ONLY ADMIN among them, which writes through read_only), both from the
     * clients' address. Created on the source before the copy, so the target has them too.
     */
    private OneWriterSampler sampleOneWriterOnMysql() throws Exception {
        String from = "'" + LabHost.CLIENT_ADDRESS + "'";
        try (Connection c = connect(hosts.sourceAddress());
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + pair.table("probe") + " (id bigint PRIMARY KEY, door varchar(20))");
            st.execute("CREATE USER 'probe_app'@" + from + " IDENTIFIED BY 'ProbeApp2026x'");
            // On the whole database: a grant on one table fails the copy's first attempt, which copies
            // accounts before the tables exist (left for a later fix; the retry then skips the account).
            st.execute("GRANT INSERT ON " + pair.table("probe").replaceAll("\\..*", "") + ".* TO 'probe_app'@" + from);
            st.execute("CREATE USER 'probe_dba'@" + from + " IDENTIFIED BY 'ProbeDba2026x'");
            st.execute("GRANT ALL PRIVILEGES ON *.* TO 'probe_dba'@" + from + " WITH GRANT OPTION");
        }
        String url = engine == Engine.MYSQL
                ? "jdbc:mysql://%s:3306/?sslMode=REQUIRED&connectTimeout=2000&socketTimeout=5000"
                : "jdbc:mariadb://%s:3306/?sslMode=trust&connectTimeout=2000&socketTimeout=5000";
        return sample(
                pair.table("probe"),
                List.of(
                        new OneWriterSampler.Door(
                                "app", url, "probe_app", "ProbeApp2026x", LabHost.CLIENT_ADDRESS, null, null),
                        new OneWriterSampler.Door(
                                "dba", url, "probe_dba", "ProbeDba2026x", LabHost.CLIENT_ADDRESS, null, null)));
    }

    /** Every door on both servers, from the clients' address; ids from the clock, fresh in every run. */
    private OneWriterSampler sample(String table, List<OneWriterSampler.Door> doors) {
        return new OneWriterSampler(table, System.currentTimeMillis() * 1000)
                .start("source", hosts.sourceAddress(), doors)
                .start("target", hosts.targetAddress(), doors);
    }

    /** When the workflow recorded the freeze as done: no write may be acknowledged by the source after it. */
    Instant frozenAt() {
        return workflow.status().steps().stream()
                .filter(st -> st.phase() == Phase.FREEZE_WRITES && st.ended() != null)
                .map(dev.switchover.workflows.status.StepRecord::ended)
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    String onTarget(String... command) {
        return Lab.run(concat("exec", hosts.target(), command));
    }

    private static String[] concat(String a, String b, String[] rest) {
        String[] all = new String[rest.length + 2];
        all[0] = a;
        all[1] = b;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    // ---- data ----

    /** Same rows on both sides, and (with a writer) every acknowledged write on the new primary. */
    void assertDataIdentical() throws Exception {
        LabPair.Fingerprint source = pair.orders(hosts.sourceAddress());
        LabPair.Fingerprint target = pair.orders(hosts.targetAddress());
        assertEquals(rows, target.rows(), "rows on the target");
        assertEquals(source.rows(), target.rows(), "row counts");
        assertEquals(source.checksum(), target.checksum(), "order-independent checksum of every row");
        if (writer != null) assertWriterLostNothingOn(hosts.targetAddress());
    }

    /** Every write the writer saw acknowledged is on the server at {@code address}, and nothing else. */
    void assertWriterLostNothingOn(String address) throws Exception {
        Thread.sleep(1000); // the writer follows the primary file to the target
        writer.stop();
        Set<Long> present = new HashSet<>();
        try (Connection c = connect(address);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id FROM " + pair.table("writes"))) {
            while (rs.next()) present.add(rs.getLong(1));
        }
        SetChecker.Verdict v = SetChecker.check(writer.outcomes(), present);
        say("writer: " + v.acknowledged() + " acknowledged, " + v.failed() + " refused, " + v.unknown() + " unknown");
        assertTrue(v.acknowledged() > 0, "the writer wrote");
        assertEquals(Set.of(), v.lost(), "acknowledged writes missing on " + address);
        assertEquals(Set.of(), v.unexpected(), "writes on " + address + " that were never attempted");
        assertEquals(Set.of(), v.failedButPresent(), "writes refused yet present on " + address);
    }

    private long timeline(String address) {
        try (Connection c = connect(address);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")) {
            rs.next();
            return Long.parseLong(rs.getString(1), 16);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the timeline of " + address + ": " + e.getMessage(), e);
        }
    }

    private Connection connect(String address) throws SQLException {
        return pair.connect(address);
    }

    private Path primaryFile() {
        return dir.resolve("primary");
    }

    private String spec(String name, Options o) throws IOException {
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        String traffic = bouncer != null
                ? bouncer.trafficSpec()
                : """
        traffic:
          type: command
          command:
            # Idempotent, as a traffic switch must be: a crashed worker's retry runs it again.
            command: printf '%%s\\n' %s > %s && printf '%%s\\n' %s >> %s
        """.formatted(hosts.targetAddress(), primaryFile(), hosts.targetAddress(), dir.resolve("switches"));
        return """
        %scutover:
          mode: %s
        %sbackup:
          enabled: %s
          destination: %s%s
        report:
          directory: %s
        """.formatted(
                        LabSpec.specHead(name, hosts.sourceHost(), hosts.targetHost(), secret) + LabSpec.TEST_PACE,
                        o.cutoverMode(),
                        traffic,
                        o.backup(),
                        backupDirectory(),
                        o.backupRate() == null ? "" : "\n  maxRate: " + o.backupRate(),
                        dir.resolve("reports"));
    }

    void say(String line) {
        System.out.printf("%s %6.1fs  %s%n", taskQueue, (System.nanoTime() - t0) / 1e9, line);
    }

    @Override
    public void close() throws Exception {
        if (writer != null) writer.stop();
        for (WorkerProcess w : workers) w.close();
        Lab.run("heal", hosts.target());
    }
}
