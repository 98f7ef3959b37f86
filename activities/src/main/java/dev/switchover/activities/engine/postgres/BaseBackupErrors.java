package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.MigrationSpec;

/** pg_basebackup's failures that retrying cannot fix, in words that say what to do. */
final class BaseBackupErrors {
    private BaseBackupErrors() {}

    /** {@code what} names the command in the message of a failure with no known cause. */
    static RuntimeException translate(CommandResult r, MigrationSpec spec, String what) {
        String err = r.stderr();
        String who = spec.replication().user() + " from " + spec.target().address();
        if (err.contains("password authentication failed")) {
            return Failures.fatal(
                    Failures.BAD_CREDENTIALS,
                    "the source refused the replication password for " + who
                            + ": the secret replication.password refers to ("
                            + spec.replication().password() + ") is not the role's"
                            + " password. Fix the secret or the role's password and start again.");
        }
        if (err.contains("no pg_hba.conf entry")) {
            return Failures.fatal(
                    Failures.BAD_CREDENTIALS,
                    "the source's pg_hba.conf has no rule admitting " + who
                            + " for replication, although prepare-source added one: check for a rule that now shadows it.");
        }
        if (err.contains("replication slot") && err.contains("does not exist")) {
            return Failures.fatal(Failures.PREFLIGHT_FAILED, slotGone(spec));
        }
        try {
            r.orThrow(what);
        } catch (RuntimeException e) {
            return e;
        }
        return new IllegalStateException(what + " failed");
    }

    static String slotGone(MigrationSpec spec) {
        return "the replication slot " + spec.replication().slot()
                + " is gone from the source (dropped by hand?); start the migration again to recreate it.";
    }
}
