package dev.switchover.workflows;

import dev.switchover.workflows.spec.CatchUpSpec;
import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.CutoverSpec;
import dev.switchover.workflows.spec.DatabaseSpec;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.HookSpec;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.ReplicationSpec;
import dev.switchover.workflows.spec.SshSpec;
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
        new CutoverSpec(mode, Duration.ofMinutes(30), stopApplication, stopApplication == null ? null
            : new HookSpec("systemctl start app", null, null), null, null),
        null,
        null,
        null).withDefaults();
  }

  private static HostSpec host(String address) {
    return new HostSpec(
        address,
        new SshSpec(null, null, "/etc/switchover/id_ed25519", "/etc/switchover/known_hosts", null),
        new DatabaseSpec(null, null, "env:PG_ADMIN_PASSWORD", null, "/var/lib/postgresql/15/main", null, null, null));
  }
}
