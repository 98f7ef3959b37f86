package dev.switchover.worker.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.worker.DevServer;
import dev.switchover.worker.demo.LabScript;
import dev.switchover.workflows.Approval;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.SwitchoverQueues;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A migration interrupted anywhere resumes where it stopped: a real Temporal dev server, the
 * worker as its own process (java -jar switchover.jar worker), real lab hosts crs and crt. Each
 * test interrupts one thing with SIGKILL or a cut cable in the middle of a step and proves the
 * migration still ends DONE with the source's exact data on the target, and that the
 * destructive steps ran no more often than they had to.
 */
class InterruptedMigrationIT {
  private static final String SRC = "crs";
  private static final String SRC_ADDRESS = "198.18.0.51";
  private static final String DST = "crt";
  private static final String DST_ADDRESS = "198.18.0.52";
  /** About 45 MB of table and index: with {@link #COPY_RATE} the copy lasts long enough to cut into. */
  private static final long ROWS = 400_000;
  private static final String COPY_RATE = "16mbit";
  /** The whole copy takes about two minutes: longer than the base copy's heartbeat timeout. */
  private static final String SLOW_COPY_RATE = "4mbit";
  /** The copy's marker beside the target's data directory (TargetCluster). */
  private static final String MARKER = "/var/lib/postgresql/15/.switchover-main";
  /** Written to the worker's log each time the target's data directory is emptied for a copy. */
  private static final String WIPE_LINE = "emptying it for the copy";
  private static final Duration DONE_WITHIN = Duration.ofMinutes(4);

  private static LabScript lab;
  private static Path dir;
  private static DevServer temporal;
  private static WorkflowServiceStubs service;
  private static WorkflowClient client;
  private static String admin;

  private final List<WorkerProcess> workers = new ArrayList<>();
  private Path scenarioDir;
  private long t0;

  @BeforeAll
  static void startLabAndTemporal() throws Exception {
    lab = LabScript.find();
    lab.run("up", SRC + ":" + SRC_ADDRESS, DST + ":" + DST_ADDRESS);
    admin = LabScript.adminPassword();
    dir = Files.createTempDirectory("switchover-durability");
    temporal = DevServer.start(dir.resolve("temporal.db"));
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
    client = WorkflowClient.newInstance(service);
  }

  @AfterAll
  static void stopTemporal() {
    if (service != null) service.shutdownNow();
    if (temporal != null) temporal.close();
    if (lab != null) lab.run("heal", DST);
  }

  @BeforeEach
  void freshClustersWithData(TestInfo info) throws Exception {
    lab.run("heal", DST);
    // The last scenario's target is a promoted copy, which the wipe guard rightly refuses.
    lab.run("reset", SRC, DST);
    scenarioDir = Files.createDirectories(dir.resolve(info.getTestMethod().orElseThrow().getName()));
    seed();
    t0 = System.nanoTime();
  }

  @AfterEach
  void stopWorkers() throws Exception {
    for (WorkerProcess w : workers) w.close();
    lab.run("heal", DST);
  }

  @Test
  void workerKilledDuringBaseCopyIsResumedByANewWorker() throws Exception {
    MigrationWorkflow wf = startMigration("dur-a", "automatic");
    WorkerProcess first = startWorker();
    MigrationStatus at = awaitStatus(wf, "base copy at 30%", s -> s.phase() == Phase.BASE_COPY && copyPercent(s) >= 30,
        Duration.ofMinutes(2));
    say("killing the worker at " + pct(at) + "% of the copy");
    first.kill();
    Instant killed = Instant.now();
    startWorker();
    // The server hands the copy to the new worker only when the dead one's heartbeat times out
    // (LONG_COPY: 1 min); meanwhile, watch the dead worker's pg_basebackup on the target.
    say("the dead worker's copy on " + DST + ":\n" + lab.run("exec", DST, "sh", "-c",
        "ps -C pg_basebackup,timeout,runuser -o pid,ppid,pgid,etime,stat,args || true"));
    say("it outlived the worker by " + orphanLifetime(killed, Duration.ofSeconds(40)).toSeconds() + " s");
    lab.run("heal", DST);

    MigrationResult done = awaitDone(wf);
    assertDataIdentical(done);
    Activity copy = activity(wf, "BaseCopy");
    say("base copy resumed " + Duration.between(killed, copy.lastStarted()).toSeconds() + " s after the kill");
    assertEquals(1, copy.scheduled(), "one base copy step");
    assertEquals(2, copy.lastAttempt(), "the killed attempt and the one that finished");
    assertEquals(2, wipes(), "the target was emptied once per copy attempt, no more");
    assertPromotedOnce(wf);
    assertCopyMarkedComplete();
  }

  /**
   * The dead worker's pg_basebackup outlives its SSH session and still runs, holding the slot,
   * when the new worker's attempt starts after the heartbeat timeout: that attempt must stop it
   * and free the slot before emptying the directory, and succeed at once.
   */
  @Test
  void workerKilledDuringASlowCopyHasItsOrphanedCopyStoppedBeforeTheRetry() throws Exception {
    MigrationWorkflow wf = startMigration("dur-a2", "automatic", SLOW_COPY_RATE);
    WorkerProcess first = startWorker();
    MigrationStatus at = awaitStatus(wf, "base copy at 20%", s -> s.phase() == Phase.BASE_COPY && copyPercent(s) >= 20,
        Duration.ofMinutes(2));
    say("killing the worker at " + pct(at) + "% of the copy");
    first.kill();
    Instant killed = Instant.now();
    startWorker();
    Thread.sleep(70_000);
    say("70 s after the kill: " + lab.run("exec", DST, "sh", "-c", "pgrep -x pg_basebackup | wc -l").strip()
        + " pg_basebackup processes on " + DST + "; healing");
    lab.run("heal", DST);

    MigrationResult done = awaitDone(wf);
    assertDataIdentical(done);
    Activity copy = activity(wf, "BaseCopy");
    say("base copy attempts: " + copy.lastAttempt() + ", wipes: " + wipes() + ", last attempt started "
        + Duration.between(killed, copy.lastStarted()).toSeconds() + " s after the kill");
    assertEquals(1, copy.scheduled(), "one base copy step");
    assertEquals(2, copy.lastAttempt(), "the killed attempt and one retry that stopped its orphan and finished");
    assertEquals(2, wipes(), "the target was emptied once per attempt");
    assertPromotedOnce(wf);
    assertCopyMarkedComplete();
  }

  @Test
  void workerKilledAwaitingCutoverResumesAndPromotesOnApproval() throws Exception {
    MigrationWorkflow wf = startMigration("dur-b", "manual");
    WorkerProcess first = startWorker();
    awaitStatus(wf, "awaiting cutover", s -> s.phase() == Phase.AWAIT_CUTOVER, Duration.ofMinutes(3));
    say("killing the worker while it awaits cutover");
    first.kill();
    startWorker();
    approve(wf);

    MigrationResult done = awaitDone(wf);
    assertDataIdentical(done);
    assertEquals(1, activity(wf, "BaseCopy").lastAttempt(), "the copy was not repeated");
    assertEquals(1, wipes(), "the target was emptied once");
    assertPromotedOnce(wf);
    assertCopyMarkedComplete();
  }

  @Test
  void temporalServerKilledDuringBaseCopyRestartsFromItsDatabase() throws Exception {
    MigrationWorkflow wf = startMigration("dur-c", "automatic");
    startWorker();
    MigrationStatus at = awaitStatus(wf, "base copy at 30%", s -> s.phase() == Phase.BASE_COPY && copyPercent(s) >= 30,
        Duration.ofMinutes(2));
    say("killing the Temporal server at " + pct(at) + "% of the copy");
    temporal.kill();
    Thread.sleep(3000);
    temporal.restart();
    say("Temporal server restarted from " + dir.resolve("temporal.db"));
    lab.run("heal", DST);

    MigrationResult done = awaitDone(wf);
    assertDataIdentical(done);
    Activity copy = activity(wf, "BaseCopy");
    say("base copy attempts: " + copy.lastAttempt() + ", wipes: " + wipes());
    assertEquals(1, copy.scheduled(), "one base copy step");
    assertTrue(copy.lastAttempt() <= 2, "the copy ran at most twice: " + copy.lastAttempt());
    assertTrue(wipes() <= copy.lastAttempt(), "the target was emptied at most once per attempt: " + wipes());
    assertPromotedOnce(wf);
    assertCopyMarkedComplete();
  }

  @Test
  void linkCutForThirtySecondsDuringBaseCopyStillEndsWithIdenticalData() throws Exception {
    MigrationWorkflow wf = startMigration("dur-d", "automatic");
    startWorker();
    MigrationStatus at = awaitStatus(wf, "base copy at 30%", s -> s.phase() == Phase.BASE_COPY && copyPercent(s) >= 30,
        Duration.ofMinutes(2));
    say("cutting " + DST + " at " + pct(at) + "% of the copy");
    lab.run("cut", DST);
    Thread.sleep(30_000);
    lab.run("heal", DST);
    say("healed");

    MigrationResult done = awaitDone(wf);
    assertDataIdentical(done);
    Activity copy = activity(wf, "BaseCopy");
    say("base copy attempts: " + copy.lastAttempt() + ", wipes: " + wipes());
    assertEquals(1, copy.scheduled(), "one base copy step");
    assertTrue(wipes() <= copy.lastAttempt(), "the target was emptied at most once per attempt: " + wipes());
    assertPromotedOnce(wf);
    assertCopyMarkedComplete();
  }

  // ---- the migration ----

  private MigrationWorkflow startMigration(String name, String cutoverMode) throws Exception {
    return startMigration(name, cutoverMode, COPY_RATE);
  }

  private MigrationWorkflow startMigration(String name, String cutoverMode, String rate) throws Exception {
    Path specFile = scenarioDir.resolve(name + ".yaml");
    Files.writeString(specFile, spec(name, cutoverMode));
    MigrationSpec spec = SpecLoader.load(specFile);
    MigrationWorkflow wf = client.newWorkflowStub(MigrationWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(spec.workflowId()).setTaskQueue(SwitchoverQueues.TASK_QUEUE)
        .setWorkflowRunTimeout(Duration.ofMinutes(15)).build());
    lab.run("rate", DST, rate);
    WorkflowClient.start(wf::migrate, spec);
    say("started " + spec.workflowId());
    return wf;
  }

  private WorkerProcess startWorker() throws Exception {
    WorkerProcess w = WorkerProcess.start(temporal.address(), scenarioDir.resolve("worker-" + (workers.size() + 1) + ".log"));
    workers.add(w);
    say("worker " + workers.size() + " started");
    return w;
  }

  /** Polls the status query (which needs a live worker) until {@code until} holds. */
  private MigrationStatus awaitStatus(MigrationWorkflow wf, String what, Predicate<MigrationStatus> until,
      Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    MigrationStatus last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = wf.status();
        if (until.test(last)) {
          say(what + ": phase " + last.phase() + ", copy " + pct(last) + "%");
          return last;
        }
        if (last.phase().isTerminal()) break;
      } catch (RuntimeException e) {
        // no worker answers queries yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("not reached within " + within.toSeconds() + "s: " + what + "; last status: "
        + (last == null ? "none" : last.phase() + " copy " + pct(last) + "% failure " + last.failure()));
  }

  private static double copyPercent(MigrationStatus s) {
    return s.copy() == null ? 0 : s.copy().percent();
  }

  private static long pct(MigrationStatus s) {
    return Math.round(copyPercent(s));
  }

  /** Approval is refused while the target lags; the new worker needs a moment to sample lag. */
  private void approve(MigrationWorkflow wf) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        wf.approveCutover(new Approval("durability-test", "after a worker crash"));
        say("cutover approved");
        return;
      } catch (RuntimeException e) {
        last = e;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("approval never accepted", last);
  }

  private MigrationResult awaitDone(MigrationWorkflow wf) throws Exception {
    MigrationResult r = WorkflowStub.fromTyped(wf).getResult(DONE_WITHIN.toSeconds(), TimeUnit.SECONDS,
        MigrationResult.class);
    say("done: " + r.status().phase());
    assertEquals(Phase.DONE, r.status().phase(), "failure: " + r.status().failure());
    assertEquals(DST_ADDRESS, r.newPrimary());
    return r;
  }

  // ---- what happened, from the history and the worker logs ----

  /** An activity step as the history shows it: scheduled events, the final attempt, completions. */
  record Activity(int scheduled, int lastAttempt, int completed, Instant lastStarted) {}

  private static Activity activity(MigrationWorkflow wf, String type) {
    String id = WorkflowStub.fromTyped(wf).getExecution().getWorkflowId();
    List<Long> ids = new ArrayList<>();
    int attempt = 0;
    int completed = 0;
    Instant started = null;
    for (HistoryEvent e : client.fetchHistory(id).getEvents()) {
      if (e.hasActivityTaskScheduledEventAttributes()
          && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(type)) {
        ids.add(e.getEventId());
      } else if (e.hasActivityTaskStartedEventAttributes()
          && ids.contains(e.getActivityTaskStartedEventAttributes().getScheduledEventId())) {
        attempt = Math.max(attempt, e.getActivityTaskStartedEventAttributes().getAttempt());
        // Written when the attempt ends, but stamped with the time the last attempt started.
        started = Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos());
      } else if (e.hasActivityTaskCompletedEventAttributes()
          && ids.contains(e.getActivityTaskCompletedEventAttributes().getScheduledEventId())) {
        completed++;
      }
    }
    return new Activity(ids.size(), attempt, completed, started);
  }

  private static void assertPromotedOnce(MigrationWorkflow wf) {
    Activity promote = activity(wf, "Promote");
    assertEquals(List.of(1, 1, 1), List.of(promote.scheduled(), promote.lastAttempt(), promote.completed()),
        "Promote scheduled, run (attempt 1) and completed exactly once");
  }

  private static void assertCopyMarkedComplete() {
    String marker = lab.run("exec", DST, "cat", MARKER);
    assertTrue(marker.startsWith("complete "), "the copy's marker on the target: " + marker);
  }

  /** How long pg_basebackup ran on the target after {@code since}; at most {@code limit}. */
  private static Duration orphanLifetime(Instant since, Duration limit) throws InterruptedException {
    Instant end = since.plus(limit);
    while (Instant.now().isBefore(end)
        && !"0".equals(lab.run("exec", DST, "sh", "-c", "pgrep -x pg_basebackup | wc -l").strip())) {
      Thread.sleep(1000);
    }
    return Duration.between(since, Instant.now());
  }

  private int wipes() throws Exception {
    int n = 0;
    for (WorkerProcess w : workers) {
      n += w.logText().split(WIPE_LINE, -1).length - 1;
    }
    return n;
  }

  // ---- data ----

  private void seed() throws SQLException {
    try (Connection c = connect(SRC_ADDRESS); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2),"
          + " created timestamptz NOT NULL)");
      st.execute("INSERT INTO orders SELECT g, 'customer-' || (g % 997), (g % 10000) / 100.0,"
          + " now() - g * interval '1 minute' FROM generate_series(1, " + ROWS + ") g");
    }
  }

  private void assertDataIdentical(MigrationResult done) throws SQLException {
    String[] source = fingerprint(SRC_ADDRESS);
    String[] target = fingerprint(DST_ADDRESS);
    assertEquals(String.valueOf(ROWS), target[0], "rows on the target");
    assertEquals(source[0], target[0], "row counts");
    assertEquals(source[1], target[1], "order-independent checksum of every row");
  }

  /** Row count and an order-independent checksum of every row, as the demo checks. */
  private static String[] fingerprint(String address) throws SQLException {
    try (Connection c = connect(address); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM orders t")) {
      rs.next();
      return new String[] {rs.getString(1), rs.getString(2)};
    }
  }

  private static Connection connect(String address) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", admin);
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection("jdbc:postgresql://" + address + ":5432/postgres", p);
  }

  private String spec(String name, String cutoverMode) throws Exception {
    Path secret = scenarioDir.resolve("replication-password");
    Files.writeString(secret, Long.toHexString(System.nanoTime()) + "a1b2c3d4\n");
    Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    String host = """
          ssh:
            privateKey: %s
            knownHosts: %s
          database:
            adminPassword: file:%s
            dataDirectory: /var/lib/postgresql/15/main
            serviceStart: pg_ctlcluster 15 main start
            serviceStop: pg_ctlcluster 15 main stop
        """.formatted(LabScript.KEY, LabScript.KNOWN_HOSTS, LabScript.ADMIN_PASSWORD_FILE);
    return """
        name: %s
        engine: postgresql
        source:
          address: %s
        %starget:
          address: %s
        %sreplication:
          password: file:%s
        benchmark:
          minIops: 1000
          size: 16M
          runtime: 2s
          numJobs: 1
        catchUp:
          holdFor: 3s
          pollEvery: 1s
          deadline: 10m
        cutover:
          mode: %s
        traffic:
          type: none
        backup:
          enabled: false
        report:
          directory: %s
        """.formatted(name, SRC_ADDRESS, host, DST_ADDRESS, host, secret, cutoverMode,
        scenarioDir.resolve("reports"));
  }

  private void say(String line) {
    System.out.printf("durability %6.1fs  %s%n", (System.nanoTime() - t0) / 1e9, line);
  }
}
