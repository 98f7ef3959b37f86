package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.DatabaseEngine;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.secrets.Secret;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The runbook's MySQL and MariaDB steps: GTID replication set up from a base copy (a streamed
 * single-transaction dump, {@link DumpCopy}, or MySQL's CLONE, {@link CloneCopy}), cut over by
 * fencing the source ({@link MySqlCutover}), proving the target applied its final GTIDs and
 * nothing else, and turning the target's replication off. SQL goes over JDBC; the copy runs on the
 * target over SSH. Each step is a class of its own; this one opens the sessions and reads the
 * identities they share, and hands each step to its class. The dialect and the copy method are
 * fixed for the engine's life, chosen once by the EngineRegistry.
 */
public final class MySqlEngine implements DatabaseEngine {
    /** The longest a copy or a backup may run. */
    static final Duration COPY_TIMEOUT = Duration.ofHours(47);

    static final List<String> SYSTEM_SCHEMAS = List.of("mysql", "sys", "information_schema", "performance_schema");
    /**
     * Accounts the server manages itself: never copied, never locked by the fence on their own host
     * ({@code mysql} is MariaDB's socket-only account of the OS user mysql, made at install).
     */
    static final List<String> SYSTEM_ACCOUNTS = List.of(
            "root",
            "mysql",
            "mysql.sys",
            "mysql.session",
            "mysql.infoschema",
            "mariadb.sys",
            "debian-sys-maint",
            "PUBLIC");

    private final Hosts hosts;
    private final Dialect dialect;
    private final ReplicationLogin login;
    private final CopyMarker marker;
    private final ReplicaSetup replica;
    private final MySqlCopyMethod copyMethod;
    private final MySqlPreflight preflight;
    private final MySqlSourcePreparation preparation;
    private final MySqlBaseCopy baseCopy;
    private final ReplicaLag lag;
    private final MySqlCutover cutover;
    private final NewPrimary newPrimary;

    /**
     * {@code copyMethod} makes this engine's copy method from the engine, whose sessions it shares:
     * {@code DumpCopy::new} or {@code CloneCopy::new}.
     */
    public MySqlEngine(Hosts hosts, Dialect dialect, Function<MySqlEngine, MySqlCopyMethod> copyMethod) {
        this.hosts = hosts;
        this.dialect = dialect;
        this.login = new ReplicationLogin(this, dialect);
        this.marker = new CopyMarker(this, hosts);
        this.replica = new ReplicaSetup(this, dialect);
        this.copyMethod = copyMethod.apply(this);
        this.preflight = new MySqlPreflight(this, hosts, dialect, this.copyMethod);
        this.preparation = new MySqlSourcePreparation(this, hosts, dialect, this.copyMethod);
        this.baseCopy = new MySqlBaseCopy(this, hosts, dialect, this.copyMethod);
        this.lag = new ReplicaLag(this, dialect);
        this.cutover = new MySqlCutover(this, hosts, dialect);
        this.newPrimary = new NewPrimary(this, hosts, dialect);
    }

    Hosts hosts() {
        return hosts;
    }

    Dialect dialect() {
        return dialect;
    }

    ReplicationLogin login() {
        return login;
    }

    CopyMarker marker() {
        return marker;
    }

    ReplicaSetup replica() {
        return replica;
    }

    // ---- sessions and identities ----

    MySqlSession source(MigrationSpec spec) {
        return MySqlSession.open(
                dialect,
                spec.source(),
                hosts.secret(
                        "source.database.adminPassword",
                        spec.source().database().adminPassword()),
                "source");
    }

    /** A session to a source that may be gone: it gives up connecting after {@code connectLimit}. */
    MySqlSession source(MigrationSpec spec, Duration connectLimit) {
        return MySqlSession.open(
                dialect,
                spec.source(),
                hosts.secret(
                        "source.database.adminPassword",
                        spec.source().database().adminPassword()),
                "source",
                Duration.ofMinutes(2),
                connectLimit);
    }

    /**
     * As the target's admin, or, after a copy that brought the source's accounts
     * ({@link MySqlCopyMethod#replacesTargetAccounts}), with the source's admin password.
     */
    MySqlSession target(MigrationSpec spec) {
        return target(spec, Duration.ofMinutes(2));
    }

    MySqlSession target(MigrationSpec spec, Duration statementLimit) {
        try {
            return MySqlSession.open(
                    dialect,
                    spec.target(),
                    hosts.secret(
                            "target.database.adminPassword",
                            spec.target().database().adminPassword()),
                    "target",
                    statementLimit);
        } catch (ApplicationFailure refused) {
            if (!copyMethod.replacesTargetAccounts() || !Failures.BAD_CREDENTIALS.equals(refused.getType()))
                throw refused;
            return MySqlSession.open(
                    dialect,
                    spec.target(),
                    hosts.secret(
                            "source.database.adminPassword",
                            spec.source().database().adminPassword()),
                    "target, cloned from the source",
                    statementLimit);
        }
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
                .map(r -> r.get(0))
                .filter(n -> !SYSTEM_SCHEMAS.contains(n.toLowerCase()))
                .toList();
    }

    /**
     * The user tables in the dump's order with their sizes. information_schema's statistics lag
     * behind bulk loads (MySQL caches them for a day, InnoDB recounts after 10% of rows changed), so
     * each table counts at least its tablespace file's size.
     */
    List<DumpProgress.Table> tables(MySqlSession s) {
        for (String sql : dialect.freshStatistics()) s.execute(sql);
        String spaces = dialect.tablespacesView();
        return s
                .rows("SELECT t.table_schema, t.table_name, greatest(coalesce(t.data_length + t.index_length, 0),"
                        + " coalesce(f.file_size, 0)) FROM information_schema.tables t LEFT JOIN " + spaces + " f"
                        + " ON f.name = concat(t.table_schema, '/', t.table_name) WHERE t.table_type = 'BASE TABLE' AND"
                        + " t.table_schema NOT IN ('mysql','sys','information_schema','performance_schema')"
                        + " ORDER BY t.table_schema, t.table_name")
                .stream()
                .map(r -> new DumpProgress.Table(r.get(0), r.get(1), Long.parseLong(r.get(2))))
                .toList();
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

    // ---- prepare source: MySqlSourcePreparation ----

    @Override
    public SourcePreparation prepareSource(MigrationSpec spec) {
        return preparation.prepare(spec);
    }

    @Override
    public void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
        this.preparation.undo(spec);
    }

    // ---- base copy: MySqlBaseCopy and the copy method ----

    @Override
    public BaseCopyResult baseCopy(MigrationSpec spec, Progress progress) {
        return baseCopy.run(spec, progress);
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
