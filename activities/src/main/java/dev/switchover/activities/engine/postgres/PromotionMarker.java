package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.ssh.Command;
import dev.switchover.workflows.spec.MigrationSpec;

/**
 * Where a logical promotion has got to, in a file beside the target's data directory: "promoting"
 * once the proof is taken and before the first subscription is dropped, "promoted" before the
 * target opens. The target's catalog cannot say it: a promotion cut short after dropping a
 * subscription leaves the same catalog as a subscription somebody dropped by hand, and only the
 * first may go on without the slot's proof (the slot went with the subscription).
 */
final class PromotionMarker {
    static final String PROMOTING = "promoting ";
    static final String PROMOTED = "promoted ";

    private final PgLogins logins;

    PromotionMarker(PgLogins logins) {
        this.logins = logins;
    }

    /** The marker's state for this migration ({@link #PROMOTING} or {@link #PROMOTED}, trimmed), or null. */
    String state(MigrationSpec spec) {
        // One command, not a test and a read: promotion asks this inside the cutover's pause.
        String text = logins.ssh(spec.target())
                .run(Command.of("sh", "-c", "cat -- \"$1\" 2>/dev/null || true", "sh", path(spec)))
                .orThrow("reading the promotion marker " + path(spec))
                .stdout()
                .strip();
        if (text.equals(PROMOTING + spec.name())) return PROMOTING.strip();
        if (text.equals(PROMOTED + spec.name())) return PROMOTED.strip();
        return null;
    }

    void mark(MigrationSpec spec, String state) {
        logins.ssh(spec.target()).writeFile(path(spec), state + spec.name() + "\n", "0644", null);
    }

    /** A copy starting afresh (or resuming after a rollback) begins with no promotion of its own under way. */
    void clear(MigrationSpec spec) {
        logins.ssh(spec.target())
                .run(Command.of("rm", "-f", path(spec)))
                .orThrow("removing the promotion marker " + path(spec));
    }

    private String path(MigrationSpec spec) {
        String dir = logins.targetDataDirectory(spec);
        return dir.substring(0, dir.lastIndexOf('/') + 1) + ".switchover-promoted-" + spec.name();
    }
}
