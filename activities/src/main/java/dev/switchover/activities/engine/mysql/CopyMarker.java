package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.spec.MigrationSpec;

/**
 * The target's marker, {@code .switchover-copy} in its data directory (the copy drops databases,
 * never the directory): which source's copy the target holds and how far it got (unfinished,
 * complete, promoting, promoted), so that a retried copy, the wipe guard and promotion tell this
 * migration's copy from anybody else's data.
 */
final class CopyMarker {
    private final MySqlEngine engine;
    private final Hosts hosts;

    CopyMarker(MySqlEngine engine, Hosts hosts) {
        this.engine = engine;
        this.hosts = hosts;
    }

    private String marker(MigrationSpec spec) {
        return engine.targetDataDirectory(spec).replaceAll("/+$", "") + "/.switchover-copy";
    }

    /** "unfinished ID" or "complete ID" of the source copied into the target, or null. */
    String[] read(MigrationSpec spec) {
        RemoteHost host = hosts.ssh(spec.target());
        String path = marker(spec);
        if (!host.exists(path)) return null;
        String[] parts = host.readFile(path).strip().split(" ", 2);
        return parts.length == 2 ? parts : null;
    }

    void write(MigrationSpec spec, String state, String sourceId) {
        hosts.ssh(spec.target()).writeFile(marker(spec), state + " " + sourceId + "\n", "0600", null);
    }

    /** What the target holds and whose copy it is, for {@link TargetGuard}. */
    TargetGuard.Facts facts(MigrationSpec spec, MySqlSession t) {
        String[] m = read(spec);
        return new TargetGuard.Facts(
                engine.identity(t),
                MySqlEngine.userSchemas(t),
                m == null ? null : m[0],
                m == null ? null : m[1],
                engine.replica().replicatesFrom(spec, t));
    }
}
