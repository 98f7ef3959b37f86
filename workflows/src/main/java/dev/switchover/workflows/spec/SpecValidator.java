package dev.switchover.workflows.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checks on a bound spec that its shape cannot express: required fields, names, secrets as
 * references, ports, paths, thresholds and how they relate. Pure (no I/O, no clock), so the
 * workflow runs it again at start to refuse a bad spec sent by automation rather than by the CLI.
 * Works on a raw spec (before {@link MigrationSpec#withDefaults()}) as well as on a completed one,
 * and tolerates any part being missing. The parts' checks live in classes named for them
 * ({@link HostChecks}, {@link CutoverChecks}, {@link NotificationChecks}, and the engine's in
 * {@link EngineRules}); this class calls them in the order of the spec's fields, which is the order
 * the operator reads the problems in.
 */
public final class SpecValidator {
    /** What a migration name must be to make a workflow id (and a default slot name). */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final List<SpecProblem> problems = new ArrayList<>();
    private final FieldChecks check = new FieldChecks(this::add);
    private final HostChecks hosts = new HostChecks(check);
    private final CutoverChecks cutovers = new CutoverChecks(check);
    private final NotificationChecks notifications = new NotificationChecks(check);

    private SpecValidator() {}

    /** Every problem found, in the order of the spec's fields; empty if the spec can run. */
    public static List<SpecProblem> validate(MigrationSpec spec) {
        SpecValidator v = new SpecValidator();
        if (spec == null) {
            v.add("(spec)", "is missing; give a migration spec with name, engine, source and target");
        } else {
            v.migration(spec);
        }
        return List.copyOf(v.problems);
    }

    private void migration(MigrationSpec spec) {
        name(spec.name());
        Engine engine = spec.engine();
        if (engine == null) {
            add(
                    "engine",
                    "is required; use one of "
                            + Arrays.stream(Engine.values()).map(Engine::id).collect(Collectors.joining(", ")));
        }
        hosts.host("source", spec.source(), "describe the current primary");
        hosts.host("target", spec.target(), "describe the new server");
        hosts.differentServers(spec.source(), spec.target());
        EngineRules rules = EngineRules.of(engine);
        replication(spec.replication(), rules, spec.name());
        benchmark(spec.benchmark());
        cutovers.catchUp(spec.catchUp());
        cutovers.cutover(spec.cutover());
        traffic(spec.traffic(), rules);
        backup(spec.backup(), rules);
        if (spec.report() != null) notBlank("report.directory", spec.report().directory());
        notifications.webhook(spec.notifications());
    }

    private void name(String name) {
        if (isBlank(name)) {
            add(
                    "name",
                    "is required; give the migration a short name such as orders-pg15 (the workflow id"
                            + " becomes switchover-NAME)");
        } else if (!NAME.matcher(name).matches()) {
            add(
                    "name",
                    "'" + name + "' cannot become a workflow id; use lower-case letters, digits and -,"
                            + " starting with a letter or digit, at most 63 characters (e.g. orders-pg15)");
        }
    }

    private void replication(ReplicationSpec replication, EngineRules rules, String name) {
        ReplicationSpec r = replication == null ? new ReplicationSpec(null, null, null) : replication;
        notBlank("replication.user", r.user());
        secret("replication.password", r.password());
        String method = r.copyMethod();
        if (method != null && !method.equals(ReplicationSpec.DUMP) && !method.equals(ReplicationSpec.CLONE)) {
            add(
                    "replication.copyMethod",
                    "'" + method + "' is not a copy method; use dump or clone (MySQL 8.0.17+ only)");
        } else if (method != null) {
            rules.copyMethod(method, this::add);
        }
        if (r.method() != null) rules.method(r.method(), this::add);
        rules.replication(r, name, this::add);
    }

    private void backup(BackupSpec backup, EngineRules rules) {
        if (backup == null) return;
        absolutePath("backup.destination", backup.destination());
        if (backup.maxRate() != null) rules.backupRate(backup.maxRate(), this::add);
    }

    private void benchmark(BenchmarkSpec benchmark) {
        if (benchmark == null) return;
        if (benchmark.minIops() != null && benchmark.minIops() < 0) {
            add(
                    "benchmark.minIops",
                    benchmark.minIops() + " is negative; write the IOPS the target's disk"
                            + " must reach, e.g. 10000, or 0 to accept any disk");
        }
        notBlank("benchmark.size", benchmark.size());
        positive("benchmark.runtime", benchmark.runtime());
        atLeastOne("benchmark.numJobs", benchmark.numJobs(), "e.g. 4");
        notBlank("benchmark.blockSize", benchmark.blockSize());
        atLeastOne("benchmark.ioDepth", benchmark.ioDepth(), "e.g. 1");
        absolutePath("benchmark.directory", benchmark.directory());
    }

    private void traffic(TrafficSpec traffic, EngineRules rules) {
        if (traffic == null) return;
        TrafficSwitch type = traffic.type() == null ? TrafficSwitch.NONE : traffic.type();
        String typeShown = traffic.type() == null ? "none (the default)" : type.id();
        rules.traffic(type, this::add);
        if (traffic.command() != null && type != TrafficSwitch.COMMAND) {
            add(
                    "traffic.type",
                    "is " + typeShown + ", so traffic.command would never run; set type: command,"
                            + " or remove traffic.command");
        }
        if (traffic.pgbouncer() != null && type != TrafficSwitch.PGBOUNCER) {
            add(
                    "traffic.type",
                    "is " + typeShown + ", so traffic.pgbouncer would never be used; set type:"
                            + " pgbouncer, or remove traffic.pgbouncer");
        }
        if (type == TrafficSwitch.COMMAND && traffic.command() == null) {
            add(
                    "traffic.command.command",
                    "is required when traffic.type is command; write the shell"
                            + " command that points clients at the new primary (it runs with sh -c and must exit 0)");
        } else {
            hook("traffic.command", traffic.command());
        }
        if (type == TrafficSwitch.PGBOUNCER && traffic.pgbouncer() == null) {
            add(
                    "traffic.pgbouncer",
                    "is required when traffic.type is pgbouncer; give its address,"
                            + " database, adminPassword and ssh indented below pgbouncer:");
        } else {
            pgbouncer(traffic.pgbouncer());
        }
    }

    private void pgbouncer(PgBouncerSpec p) {
        if (p == null) return;
        if (isBlank(p.address())) {
            add(
                    "traffic.pgbouncer.address",
                    "is required; write the host name or IP address of PgBouncer's" + " admin console");
        }
        port("traffic.pgbouncer.port", p.port());
        notBlank("traffic.pgbouncer.adminUser", p.adminUser());
        secret("traffic.pgbouncer.adminPassword", p.adminPassword());
        if (isBlank(p.database())) {
            add(
                    "traffic.pgbouncer.database",
                    "is required; write the name of the [databases] entry that"
                            + " PgBouncer must point at the new primary");
        }
        ssh("traffic.pgbouncer.ssh", p.ssh());
        absolutePath("traffic.pgbouncer.configFile", p.configFile());
    }

    private void ssh(String prefix, SshSpec ssh) {
        hosts.ssh(prefix, ssh);
    }

    private void hook(String prefix, HookSpec hook) {
        check.hook(prefix, hook);
    }

    // The shared checks (FieldChecks) under the names the checks that stay here call them by.

    private void secret(String field, String value) {
        check.secret(field, value);
    }

    private void port(String field, Integer port) {
        check.port(field, port);
    }

    private boolean positive(String field, Duration d) {
        return check.positive(field, d);
    }

    private void atLeastOne(String field, Integer n, String example) {
        check.atLeastOne(field, n, example);
    }

    private void absolutePath(String field, String path) {
        check.absolutePath(field, path);
    }

    private void notBlank(String field, String value) {
        check.notBlank(field, value);
    }

    private static boolean isBlank(String s) {
        return FieldChecks.isBlank(s);
    }

    private void add(String field, String message) {
        problems.add(new SpecProblem(field, message));
    }
}
