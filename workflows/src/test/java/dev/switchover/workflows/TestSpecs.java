package dev.switchover.workflows;

import dev.switchover.workflows.spec.CatchUpSpec;
import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.CutoverSpec;
import dev.switchover.workflows.spec.DatabaseSpec;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.HookSpec;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.PgBouncerSpec;
import dev.switchover.workflows.spec.ReplicationSpec;
import dev.switchover.workflows.spec.SshSpec;
import dev.switchover.workflows.spec.TrafficSpec;
import dev.switchover.workflows.spec.TrafficSwitch;
import java.time.Duration;

/** Specs for workflow tests: short thresholds so time skipping gets through them quickly. */
public final class TestSpecs {
    private TestSpecs() {}

    public static MigrationSpec spec(CutoverMode mode) {
        return spec(mode, Duration.ofHours(1), null);
    }

    public static MigrationSpec spec(CutoverMode mode, Duration deadline, HookSpec stopApplication) {
        return new MigrationSpec(
                        "orders",
                        Engine.POSTGRESQL,
                        host("198.18.0.11"),
                        host("198.18.0.12"),
                        new ReplicationSpec(null, "env:REPLICATION_PASSWORD", null),
                        null,
                        new CatchUpSpec(1_048_576L, 1.0, Duration.ofSeconds(30), deadline, Duration.ofSeconds(5)),
                        new CutoverSpec(
                                mode,
                                Duration.ofMinutes(30),
                                stopApplication,
                                stopApplication == null ? null : new HookSpec("systemctl start app", null, null),
                                null,
                                null),
                        null,
                        null,
                        null)
                .withDefaults();
    }

    /** {@code spec} with its clients behind PgBouncer at 198.18.0.10, database orders. */
    public static MigrationSpec withPgBouncer(MigrationSpec spec) {
        return new MigrationSpec(
                        spec.name(),
                        spec.engine(),
                        spec.source(),
                        spec.target(),
                        spec.replication(),
                        spec.benchmark(),
                        spec.catchUp(),
                        spec.cutover(),
                        new TrafficSpec(
                                TrafficSwitch.PGBOUNCER,
                                null,
                                new PgBouncerSpec(
                                        "198.18.0.10",
                                        null,
                                        null,
                                        "env:PGBOUNCER_PASSWORD",
                                        "orders",
                                        new SshSpec(null, null, "/etc/switchover/id_ed25519", null, null),
                                        null)),
                        spec.backup(),
                        spec.report())
                .withDefaults();
    }

    /** {@code spec} with a daily cutover window of an hour, opening at {@code opens} (UTC, to the minute). */
    public static MigrationSpec withWindow(MigrationSpec spec, java.time.Instant opens, String outside) {
        java.time.LocalTime from = opens.atZone(java.time.ZoneOffset.UTC).toLocalTime();
        CutoverSpec c = spec.cutover();
        return new MigrationSpec(
                        spec.name(),
                        spec.engine(),
                        spec.source(),
                        spec.target(),
                        spec.replication(),
                        spec.benchmark(),
                        spec.catchUp(),
                        new CutoverSpec(
                                c.mode(),
                                c.approvalValidFor(),
                                c.stopApplication(),
                                c.resumeApplication(),
                                c.allowSourceRestart(),
                                c.syncTimeout(),
                                new dev.switchover.workflows.spec.CutoverWindowSpec(
                                        null, from.toString(), from.plusHours(1).toString(), "UTC", outside)),
                        spec.traffic(),
                        spec.backup(),
                        spec.report())
                .withDefaults();
    }

    /** {@code spec} polling lag every {@code pollEvery}, holding in sync for {@code holdFor}. */
    public static MigrationSpec polling(MigrationSpec spec, Duration pollEvery, Duration holdFor) {
        CatchUpSpec c = spec.catchUp();
        return new MigrationSpec(
                        spec.name(),
                        spec.engine(),
                        spec.source(),
                        spec.target(),
                        spec.replication(),
                        spec.benchmark(),
                        new CatchUpSpec(
                                c.maxLagBytes(),
                                c.maxLagSeconds(),
                                holdFor,
                                c.deadline(),
                                pollEvery,
                                c.maxRetainedBytes(),
                                c.maxRetainedPercent()),
                        spec.cutover(),
                        spec.traffic(),
                        spec.backup(),
                        spec.report())
                .withDefaults();
    }

    /** {@code spec} as another database: its own name, source and target. */
    public static MigrationSpec named(MigrationSpec spec, String name, String source, String target) {
        return new MigrationSpec(
                        name,
                        spec.engine(),
                        host(source),
                        host(target),
                        spec.replication(),
                        spec.benchmark(),
                        spec.catchUp(),
                        spec.cutover(),
                        spec.traffic(),
                        spec.backup(),
                        spec.report())
                .withDefaults();
    }

    private static HostSpec host(String address) {
        return new HostSpec(
                address,
                new SshSpec(null, null, "/etc/switchover/id_ed25519", "/etc/switchover/known_hosts", null),
                new DatabaseSpec(
                        null, null, "env:PG_ADMIN_PASSWORD", null, "/var/lib/postgresql/15/main", null, null, null));
    }
}
