package dev.switchover.activities.engine.postgres;

import dev.switchover.workflows.Failures;
import java.util.List;

/**
 * Decides whether the target's data directory may be emptied for the base copy. It may when it is
 * empty or missing, when it holds our own unfinished copy, when it is a standby of this same
 * source (same system identifier), or when it is a freshly created cluster with no user data.
 * Anything else is somebody's database, and the copy refuses to touch it.
 */
final class DataDirectoryGuard {
    private DataDirectoryGuard() {}

    /**
     * What is known about the target's directory.
     *
     * @param systemIdentifier from pg_controldata, or null if there is no readable control file
     * @param inRecovery whether the directory is a standby (standby.signal / recovery) or null if unknown
     * @param userDatabases databases beyond postgres/template0/template1, or null if the server is
     *     not running to ask
     * @param userTables tables outside the system schemas in the postgres database, or -1 if unknown
     * @param ourUnfinishedCopyOf the source system identifier our in-progress marker names, or null
     */
    record Facts(
            String directory,
            boolean exists,
            boolean empty,
            String systemIdentifier,
            Boolean inRecovery,
            List<String> userDatabases,
            long userTables,
            String ourUnfinishedCopyOf) {}

    record Verdict(boolean wipe, String reason) {}

    static Verdict decide(String sourceSystemIdentifier, String targetAddress, Facts f) {
        if (!f.exists() || f.empty()) return new Verdict(true, f.directory() + " is empty");
        // The marker lies beside the directory, so it outlives what is inside: it vouches only for a
        // directory with no cluster of its own yet (pg_basebackup writes pg_control last) or one with
        // the source's identifier, never for a cluster created there since.
        if (sourceSystemIdentifier.equals(f.ourUnfinishedCopyOf())
                && (f.systemIdentifier() == null || sourceSystemIdentifier.equals(f.systemIdentifier()))) {
            return new Verdict(true, f.directory() + " holds this migration's unfinished copy");
        }
        if (sourceSystemIdentifier.equals(f.systemIdentifier())) {
            if (Boolean.FALSE.equals(f.inRecovery())) {
                throw Failures.fatal(
                        Failures.WRONG_HOST,
                        targetAddress + " has the source's system identifier "
                                + f.systemIdentifier()
                                + " and is not a standby: it is the source itself, or a copy that was already"
                                + " promoted. Check target.address; if an earlier migration already finished, there is nothing to do.");
            }
            return new Verdict(
                    true,
                    f.directory() + " is a standby of this source (system identifier " + f.systemIdentifier() + ")");
        }
        if (f.userDatabases() != null && f.userDatabases().isEmpty() && f.userTables() == 0) {
            return new Verdict(
                    true,
                    f.directory() + " is a new cluster with no user data (system identifier " + f.systemIdentifier()
                            + ")");
        }
        String what = f.userDatabases() == null
                ? "a cluster (system identifier " + f.systemIdentifier()
                        + ") whose contents could not be checked because" + " it is not running"
                : "another cluster (system identifier " + f.systemIdentifier() + ") with data: databases "
                        + f.userDatabases() + ", " + f.userTables() + " user tables in postgres";
        throw Failures.fatal(
                Failures.WIPE_REFUSED,
                "refusing to empty " + f.directory() + " on " + targetAddress
                        + ": it holds " + what + ", not a copy of the source (system identifier "
                        + sourceSystemIdentifier
                        + "). If that data is disposable, empty the directory yourself and start the migration again;"
                        + " otherwise point target.database.dataDirectory elsewhere.");
    }
}
