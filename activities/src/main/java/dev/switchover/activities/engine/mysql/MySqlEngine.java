package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.DatabaseEngine;
import dev.switchover.activities.engine.FreeSpace;
import dev.switchover.activities.engine.Memory;
import dev.switchover.activities.engine.Pause;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.secrets.Secret;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's MySQL and MariaDB steps: GTID replication set up from a streamed
 * single-transaction dump, cut over by fencing the source ({@link MySqlCutover}), proving the
 * target applied its final GTIDs and nothing else, and turning the target's replication off. SQL goes over JDBC; the dump runs
 * on the target over SSH, piped straight into the target's server.
 */
public final class MySqlEngine implements DatabaseEngine {
  private static final Logger log = LoggerFactory.getLogger(MySqlEngine.class);

  /** The longest a copy or a backup may run. */
  static final Duration COPY_TIMEOUT = Duration.ofHours(47);
  static final List<String> SYSTEM_SCHEMAS = List.of("mysql", "sys", "information_schema", "performance_schema");
  /**
   * Accounts the server manages itself: never copied, never locked by the fence on their own host
   * ({@code mysql} is MariaDB's socket-only account of the OS user mysql, made at install).
   */
  static final List<String> SYSTEM_ACCOUNTS = List.of("root", "mysql", "mysql.sys", "mysql.session",
      "mysql.infoschema", "mariadb.sys", "debian-sys-maint", "PUBLIC");

  private final Hosts hosts;
  private final Dialect dialect;
  private final CopyMarker marker;
  private final ReplicaSetup replica;
  private final MySqlPreflight preflight;
  private final MySqlSourcePreparation preparation;
  private final ReplicationLogin login;
  private final ReplicaLag lag;
  private final MySqlCutover cutover;
  private final NewPrimary newPrimary;

  public MySqlEngine(Hosts hosts, dev.switchover.workflows.spec.Engine engine) {
    this.hosts = hosts;
    this.dialect = Dialect.of(engine);
    this.marker = new CopyMarker(this, hosts);
    this.replica = new ReplicaSetup(this, dialect);
    this.preflight = new MySqlPreflight(this, hosts, dialect);
    this.preparation = new MySqlSourcePreparation(this, hosts, dialect);
    this.login = new ReplicationLogin(this, dialect);
    this.lag = new ReplicaLag(this, dialect);
    this.cutover = new MySqlCutover(this, hosts, dialect);
    this.newPrimary = new NewPrimary(this, hosts, dialect);
  }

  CopyMarker marker() {
    return marker;
  }

  ReplicaSetup replica() {
    return replica;
  }

  // ---- sessions and identities ----

  MySqlSession source(MigrationSpec spec) {
    return MySqlSession.open(dialect, spec.source(), hosts.secret("source.database.adminPassword",
        spec.source().database().adminPassword()), "source");
  }

  /** A session to a source that may be gone: it gives up connecting after {@code connectLimit}. */
  MySqlSession source(MigrationSpec spec, Duration connectLimit) {
    return MySqlSession.open(dialect, spec.source(), hosts.secret("source.database.adminPassword",
        spec.source().database().adminPassword()), "source", Duration.ofMinutes(2), connectLimit);
  }

  /**
   * A dump does not replace the target's accounts, so its own admin password stays valid. A clone
   * does: after it, the source's admin password is the one that works.
   */
  MySqlSession target(MigrationSpec spec) {
    return target(spec, Duration.ofMinutes(2));
  }

  private MySqlSession target(MigrationSpec spec, Duration statementLimit) {
    try {
      return MySqlSession.open(dialect, spec.target(), hosts.secret("target.database.adminPassword",
          spec.target().database().adminPassword()), "target", statementLimit);
    } catch (io.temporal.failure.ApplicationFailure refused) {
      if (!cloning(spec) || !Failures.BAD_CREDENTIALS.equals(refused.getType())) throw refused;
      return MySqlSession.open(dialect, spec.target(), hosts.secret("source.database.adminPassword",
          spec.source().database().adminPassword()), "target, cloned from the source", statementLimit);
    }
  }

  static boolean cloning(MigrationSpec spec) {
    return dev.switchover.workflows.spec.ReplicationSpec.CLONE.equals(spec.replication().copyMethod());
  }

  Secret replicationPassword(MigrationSpec spec) {
    return hosts.secret("replication.password", spec.replication().password());
  }

  String identity(MySqlSession s) {
    return s.one(dialect.identityQuery());
  }

  static Version version(MySqlSession s) {
    return Version.parse(s.one("SELECT @@version"));
  }

  static List<String> userSchemas(MySqlSession s) {
    return s.rows("SELECT schema_name FROM information_schema.schemata ORDER BY schema_name").stream()
        .map(r -> r.get(0)).filter(n -> !SYSTEM_SCHEMAS.contains(n.toLowerCase())).toList();
  }

  /**
   * The user tables in the dump's order with their sizes. information_schema's statistics lag
   * behind bulk loads (MySQL caches them for a day, InnoDB recounts after 10% of rows changed), so
   * each table counts at least its tablespace file's size.
   */
  List<DumpProgress.Table> tables(MySqlSession s) {
    for (String sql : dialect.freshStatistics()) s.execute(sql);
    String spaces = dialect.tablespacesView();
    return s.rows("SELECT t.table_schema, t.table_name, greatest(coalesce(t.data_length + t.index_length, 0),"
        + " coalesce(f.file_size, 0)) FROM information_schema.tables t LEFT JOIN " + spaces + " f"
        + " ON f.name = concat(t.table_schema, '/', t.table_name) WHERE t.table_type = 'BASE TABLE' AND"
        + " t.table_schema NOT IN ('mysql','sys','information_schema','performance_schema')"
        + " ORDER BY t.table_schema, t.table_name").stream()
        .map(r -> new DumpProgress.Table(r.get(0), r.get(1), Long.parseLong(r.get(2)))).toList();
  }

  // ---- preflight: MySqlPreflight ----

  @Override
  public PreflightReport preflight(MigrationSpec spec) {
    return preflight.check(spec);
  }

  @Override
  public String targetDataDirectory(MigrationSpec spec) {
    return preflight.targetDataDirectory(spec);
  }

  // ---- the target's marker and facts ----

  /**
   * Whether this migration's copy of {@code sourceId} is complete on the target, so a retried copy
   * only sets up (again) its replication: the marker says so, and the target replicates from the
   * source or from nothing yet. An attempt that died or failed between the marker and the
   * replica's first connection to the source leaves the source's identity blank in the replica's
   * status; taking that for "not ours" made a whole new dump (MysqlCrashIT saw it under load).
   */
  private boolean copyFinished(MigrationSpec spec, MySqlSession t, String[] marker, String sourceId) {
    if (marker == null || !"complete".equals(marker[0]) || !sourceId.equals(marker[1])) return false;
    Map<String, String> status = replica.status(t);
    if (status == null) return true;
    Version v = version(t);
    if (!spec.source().address().equals(status.get(dialect.column(v, "Source_Host")))) return false;
    return dialect.namesSourceOrNone(v, status, sourceId);
  }

  // ---- prepare source: MySqlSourcePreparation ----

  @Override
  public SourcePreparation prepareSource(MigrationSpec spec) {
    return preparation.prepare(spec);
  }

  @Override
  public void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
    this.preparation.undo(spec);
  }

  // ---- base copy ----

  private static String copyJob(MigrationSpec spec) {
    return "basecopy-" + spec.name();
  }

  @Override
  public BaseCopyResult baseCopy(MigrationSpec spec, Progress progress) {
    RemoteHost targetHost = hosts.ssh(spec.target());
    // A dump left running by a dead worker would keep loading into the databases this attempt drops.
    targetHost.stopJob(copyJob(spec));
    String sourceId;
    List<DumpProgress.Table> tables;
    List<String> schemas;
    try (MySqlSession s = source(spec)) {
      sourceId = identity(s);
      if (s.one("SELECT 1 FROM mysql.user WHERE user = ? AND host = ?", spec.replication().user(),
          spec.target().address()) == null) {
        throw Failures.fatal(Failures.PREFLIGHT_FAILED, "the replication account " + spec.replication().user() + "@"
            + spec.target().address() + " is gone from the source; prepare-source creates it, so run the migration"
            + " again from the start");
      }
      schemas = userSchemas(s);
      tables = tables(s);
    }
    String[] marker = this.marker.read(spec);
    try (MySqlSession t = target(spec)) {
      if (copyFinished(spec, t, marker, sourceId)) {
        // Configured again: the attempt that finished the copy may have died before it pointed the
        // replica at the source, or after, before closing the target to clients.
        replica.configure(spec, t);
        replica.start(spec, t);
        return new BaseCopyResult(0, 0, true, cloning(spec) ? "clone" : dialect.dumpTool);
      }
      TargetGuard.Verdict verdict = TargetGuard.decide(sourceId, spec.target().address(), this.marker.facts(spec, t));
      login.prove(spec, targetHost, sourceId);
      log.info("target {}: {}; emptying it for the copy", spec.target().address(), verdict.reason());
      this.marker.write(spec, "unfinished", sourceId);
      empty(t);
      if (!cloning(spec)) {
        copyAccounts(spec, t);
        // Closed for the copy too: the target is writable until it is a replica, and a client's
        // write meanwhile would be an errant transaction that stops the cutover.
        targetFence(spec).close(t);
      }
    }
    Instant started = Instant.now();
    DumpProgress meter = new DumpProgress(tables);
    if (cloning(spec)) {
      long bytes = CloneCopy.run(spec, replicationPassword(spec).reveal(), () -> target(spec),
          () -> target(spec, COPY_TIMEOUT), targetHost, progress);
      this.marker.write(spec, "complete", sourceId);
      try (MySqlSession t = target(spec)) {
        replica.configure(spec, t);
        replica.start(spec, t);
      }
      return new BaseCopyResult(bytes, Duration.between(started, Instant.now()).toSeconds(), false, "clone");
    }
    if (schemas.isEmpty()) {
      carryGtidStateWithoutData(spec);
    } else {
      CommandResult r = targetHost.runStreaming(dumpCommand(spec, schemas, progress), line -> {
        meter.accept(line).ifPresent(progress::report);
        progress.alive();
      }, null);
      if (!r.ok()) throw login.dumpFailed(r, spec);
    }
    progress.report(meter.finished());
    try (MySqlSession t = target(spec)) {
      grantAccounts(spec, t);
    }
    this.marker.write(spec, "complete", sourceId);
    try (MySqlSession t = target(spec)) {
      replica.configure(spec, t);
      replica.start(spec, t);
    }
    return new BaseCopyResult(meter.total(), Duration.between(started, Instant.now()).toSeconds(), false,
        dialect.dumpTool);
  }

  /** Stops any replication, drops the user databases and forgets the binary log and GTIDs. */
  private void empty(MySqlSession t) {
    Version v = version(t);
    t.execute("SET SESSION sql_log_bin = 0");
    t.execute(dialect.stopReplica(v));
    t.execute(dialect.resetReplicaAll(v));
    replica.writable(t);
    for (String schema : userSchemas(t)) t.execute("DROP DATABASE " + MySqlSession.ident(schema));
    t.execute(dialect.resetBinaryLogs(v));
    for (String sql : dialect.resetReplicaPosition()) t.execute(sql);
  }

  /**
   * The dump carries the source's data, not its accounts (the mysql schema differs between
   * versions and holds the target's own admin). Applications must still log in after the
   * cutover, so each account the target lacks is created there as the source has it.
   */
  private void copyAccounts(MigrationSpec spec, MySqlSession t) {
    List<String> copied = new ArrayList<>();
    try (MySqlSession s = source(spec)) {
      for (String sql : dialect.showCreateUserSettings()) s.execute(sql);
      for (List<String> a : sourceAccounts(spec, s)) {
        if (t.one("SELECT 1 FROM mysql.user WHERE user = ? AND host = ?", a.get(0), a.get(1)) != null) continue;
        String create = s.one("SHOW CREATE USER " + MySqlSourcePreparation.account(a.get(0), a.get(1)));
        t.executeSecret(create, create, "creating the account " + a.get(0) + "@" + a.get(1));
        copied.add(a.get(0) + "@" + a.get(1));
      }
    }
    if (!copied.isEmpty()) log.info("target {}: copied accounts {}", spec.target().address(), copied);
  }

  /**
   * The source's grants for each of its accounts on the target, once the data is loaded: a grant
   * on one table fails before the table exists, and a retried copy, which finds the accounts
   * created, must still grant them. GRANT adds and repeats harmlessly, so this runs on every copy;
   * an account of the same name the target had before gets the source's privileges too.
   */
  private void grantAccounts(MigrationSpec spec, MySqlSession t) {
    t.execute("SET SESSION sql_log_bin = 0");
    try (MySqlSession s = source(spec)) {
      for (List<String> a : sourceAccounts(spec, s)) {
        if (t.one("SELECT 1 FROM mysql.user WHERE user = ? AND host = ?", a.get(0), a.get(1)) == null) continue;
        for (List<String> grant : s.rows("SHOW GRANTS FOR " + MySqlSourcePreparation.account(a.get(0), a.get(1)))) {
          t.executeSecret(grant.get(0), grant.get(0), "granting the account " + a.get(0) + "@" + a.get(1) + " its privileges");
        }
      }
    }
  }

  /** The source's accounts that the copy carries: not the server's own, not replication's. */
  private List<List<String>> sourceAccounts(MigrationSpec spec, MySqlSession s) {
    String roles = dialect.rolesExcluded();
    return s.rows("SELECT user, host FROM mysql.user WHERE user <> '' AND NOT (user = ? AND host = ?)" + roles
        + " ORDER BY user, host", spec.replication().user(), spec.target().address()).stream()
        .filter(a -> !SYSTEM_ACCOUNTS.contains(a.get(0))).toList();
  }

  /** A source with no user database: only its GTID history has to reach the target. */
  private void carryGtidStateWithoutData(MigrationSpec spec) {
    String executed;
    try (MySqlSession s = source(spec)) {
      executed = MySqlGtidSet.oneLine(s.one("SELECT " + dialect.executedVariable()));
    }
    try (MySqlSession t = target(spec)) {
      if (executed.isEmpty()) return;
      t.execute(dialect.gtidPurgeStatement(), executed);
    }
  }

  private Command dumpCommand(MigrationSpec spec, List<String> schemas, Progress progress) {
    List<String> dump = new ArrayList<>(List.of(dialect.dumpTool));
    dump.addAll(login.options(spec));
    dump.addAll(List.of("--verbose", "--single-transaction", "--routines", "--triggers", "--events"));
    dump.addAll(dialect.dumpGtidOptions());
    dump.add("--databases");
    dump.addAll(schemas);
    String script = "set -o pipefail; " + ReplicationLogin.WITH_CREDENTIALS + ReplicationLogin.shellJoin(dump) + " | "
        + dialect.clientTool
        + " --protocol=socket --init-command='SET SESSION sql_log_bin = 0' --max-allowed-packet=1G";
    return Command.of("bash", "-c", script)
        .withSecretEnv("SWITCHOVER_REPL_PW", replicationPassword(spec))
        .withJob(copyJob(spec))
        .withTimeout(COPY_TIMEOUT)
        .withHeartbeat(progress::alive);
  }

  /** The target's logins, closed while it is a replica and opened at promotion. */
  TargetFence targetFence(MigrationSpec spec) {
    return new TargetFence(dialect, hosts.ssh(spec.target()), spec);
  }

  // ---- catch-up: ReplicaLag; after a rollback, ReplicaSetup ----

  @Override
  public LagSample measureLag(MigrationSpec spec) {
    return lag.measure(spec);
  }

  @Override
  public String quietTarget(MigrationSpec spec) {
    return replica.quiet(spec);
  }

  // ---- cutover: MySqlCutover ----

  @Override
  public FrozenSource freezeWrites(MigrationSpec spec) {
    return cutover.freezeWrites(spec);
  }

  @Override
  public void unfreezeWrites(MigrationSpec spec) {
    cutover.unfreezeWrites(spec);
  }

  @Override
  public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
    return cutover.verifySync(spec, frozen, progress);
  }

  @Override
  public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
    return cutover.promote(spec, frozen);
  }

  @Override
  public boolean targetPromoted(MigrationSpec spec) {
    return cutover.targetPromoted(spec);
  }

  @Override
  public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
    return cutover.promoteWithoutSource(spec, frozen);
  }

  @Override
  public String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
    return cutover.retireOldSource(spec);
  }

  // ---- after promotion: NewPrimary ----

  @Override
  public BackupResult backupNewPrimary(MigrationSpec spec, String backupName, Progress progress) {
    return newPrimary.backup(spec, backupName, progress);
  }

  @Override
  public List<Check> memoryChecks(MigrationSpec spec) {
    return newPrimary.memoryChecks(spec);
  }
}
