package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logical base copy, MySQL's default and MariaDB's only way: a single-transaction dump of the
 * user databases, run on the target over SSH as the replication account and piped straight into
 * the target's server, carrying the source's GTID state; the source's accounts are created on the
 * target before and granted after.
 */
public final class DumpCopy implements MySqlCopyMethod {
    private static final Logger log = LoggerFactory.getLogger(DumpCopy.class);

    private final MySqlEngine engine;
    private final Hosts hosts;
    private final Dialect dialect;

    public DumpCopy(MySqlEngine engine) {
        this.engine = engine;
        this.hosts = engine.hosts();
        this.dialect = engine.dialect();
    }

    @Override
    public String name() {
        return dialect.dumpTool;
    }

    /** None beyond replication's own: a dump loads into any server that can replicate from the source. */
    @Override
    public String incompatibility(Version source, Version target) {
        return null;
    }

    /** Nothing: the replication account's grants cover the dump. */
    @Override
    public void prepareSource(MySqlSession s, String account, List<String> notes) {}

    @Override
    public void prepareTarget(MigrationSpec spec, MySqlSession t) {
        copyAccounts(spec, t);
        // Closed for the copy too: the target is writable until it is a replica, and a client's
        // write meanwhile would be an errant transaction that stops the cutover.
        engine.targetFence(spec).close(t);
    }

    /** Streams the dump into the target's server, progress from its verbose lines, then grants the accounts. */
    @Override
    public long copy(MigrationSpec spec, List<String> schemas, List<DumpProgress.Table> tables, Progress progress) {
        DumpProgress meter = new DumpProgress(tables);
        if (schemas.isEmpty()) {
            carryGtidStateWithoutData(spec);
        } else {
            CommandResult r = hosts.ssh(spec.target())
                    .runStreaming(
                            dumpCommand(spec, schemas, progress),
                            line -> {
                                meter.accept(line).ifPresent(progress::report);
                                progress.alive();
                            },
                            null);
            if (!r.ok()) throw engine.login().dumpFailed(r, spec);
        }
        progress.report(meter.finished());
        try (MySqlSession t = engine.target(spec)) {
            grantAccounts(spec, t);
        }
        return meter.total();
    }

    /** A dump loads into the target's server beside its own accounts; its admin keeps its password. */
    @Override
    public boolean replacesTargetAccounts() {
        return false;
    }

    /**
     * The dump carries the source's data, not its accounts (the mysql schema differs between
     * versions and holds the target's own admin). Applications must still log in after the
     * cutover, so each account the target lacks is created there as the source has it.
     */
    private void copyAccounts(MigrationSpec spec, MySqlSession t) {
        List<String> copied = new ArrayList<>();
        try (MySqlSession s = engine.source(spec)) {
            for (String sql : dialect.showCreateUserSettings()) s.execute(sql);
            for (List<String> a : sourceAccounts(spec, s)) {
                if (t.one("SELECT 1 FROM mysql.user WHERE user = ? AND host = ?", a.get(0), a.get(1)) != null) continue;
                String create = s.one("SHOW CREATE USER " + MySqlSourcePreparation.account(a.get(0), a.get(1)));
                t.executeSecret(create, create, "creating the account " + a.get(0) + "@" + a.get(1));
                copied.add(a.get(0) + "@" + a.get(1));
            }
        }
        if (!copied.isEmpty())
            log.info("target {}: copied accounts {}", spec.target().address(), copied);
    }

    /**
     * The source's grants for each of its accounts on the target, once the data is loaded: a grant
     * on one table fails before the table exists, and a retried copy, which finds the accounts
     * created, must still grant them. GRANT adds and repeats harmlessly, so this runs on every copy;
     * an account of the same name the target had before gets the source's privileges too.
     */
    private void grantAccounts(MigrationSpec spec, MySqlSession t) {
        t.execute("SET SESSION sql_log_bin = 0");
        try (MySqlSession s = engine.source(spec)) {
            for (List<String> a : sourceAccounts(spec, s)) {
                if (t.one("SELECT 1 FROM mysql.user WHERE user = ? AND host = ?", a.get(0), a.get(1)) == null) continue;
                for (List<String> grant :
                        s.rows("SHOW GRANTS FOR " + MySqlSourcePreparation.account(a.get(0), a.get(1)))) {
                    t.executeSecret(
                            grant.get(0),
                            grant.get(0),
                            "granting the account " + a.get(0) + "@" + a.get(1) + " its privileges");
                }
            }
        }
    }

    /** The source's accounts that the copy carries: not the server's own, not replication's. */
    private List<List<String>> sourceAccounts(MigrationSpec spec, MySqlSession s) {
        String roles = dialect.rolesExcluded();
        return s
                .rows(
                        "SELECT user, host FROM mysql.user WHERE user <> '' AND NOT (user = ? AND host = ?)" + roles
                                + " ORDER BY user, host",
                        spec.replication().user(),
                        spec.target().address())
                .stream()
                .filter(a -> !MySqlEngine.SYSTEM_ACCOUNTS.contains(a.get(0)))
                .toList();
    }

    /** A source with no user database: only its GTID history has to reach the target. */
    private void carryGtidStateWithoutData(MigrationSpec spec) {
        String executed;
        try (MySqlSession s = engine.source(spec)) {
            executed = MySqlGtidSet.oneLine(s.one("SELECT " + dialect.executedVariable()));
        }
        try (MySqlSession t = engine.target(spec)) {
            if (executed.isEmpty()) return;
            t.execute(dialect.gtidPurgeStatement(), executed);
        }
    }

    private Command dumpCommand(MigrationSpec spec, List<String> schemas, Progress progress) {
        List<String> dump = new ArrayList<>(List.of(dialect.dumpTool));
        dump.addAll(engine.login().options(spec));
        dump.addAll(List.of("--verbose", "--single-transaction", "--routines", "--triggers", "--events"));
        dump.addAll(dialect.dumpGtidOptions());
        dump.add("--databases");
        dump.addAll(schemas);
        String script = "set -o pipefail; " + ReplicationLogin.WITH_CREDENTIALS + ReplicationLogin.shellJoin(dump)
                + " | " + dialect.clientTool
                + " --protocol=socket --init-command='SET SESSION sql_log_bin = 0' --max-allowed-packet=1G";
        return Command.of("bash", "-c", script)
                .withSecretEnv("SWITCHOVER_REPL_PW", engine.replicationPassword(spec))
                .withJob(MySqlBaseCopy.copyJob(spec))
                .withTimeout(MySqlEngine.COPY_TIMEOUT)
                .withHeartbeat(progress::alive);
    }
}
