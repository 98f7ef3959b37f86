package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.Failures;
import java.util.List;

/**
 * Decides whether the target's databases may be dropped for the base copy. They may when the
 * target holds no user database, when our marker says it holds this source's copy (finished or
 * not), or when it replicates from this source. Anything else is somebody's data, and the copy
 * refuses to touch it.
 */
final class TargetGuard {
    private TargetGuard() {}

    /**
     * What is known about the target.
     *
     * @param identity the target server's identity (MySQL server_uuid; MariaDB host:port/server_id)
     * @param userSchemas databases beyond the server's own
     * @param markerState our marker's state (unfinished, complete, promoting, promoted), or null
     * @param copyOf the source identity our marker names, or null
     * @param replicatesFrom the source identity the target's replication points at, or null
     */
    record Facts(String identity, List<String> userSchemas, String markerState, String copyOf, String replicatesFrom) {}

    record Verdict(String reason) {}

    static Verdict decide(String sourceIdentity, String targetAddress, Facts f) {
        if (sourceIdentity.equals(f.identity())) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    targetAddress + " is the same server as the source (" + sourceIdentity
                            + "): check target.address. (A target cloned from the source's disk also shares its server_uuid: delete"
                            + " auto.cnf in its data directory and restart it.)");
        }
        // "promoting" with the replication gone: promotion reset it and stopped before saying "promoted".
        boolean promoted =
                "promoted".equals(f.markerState()) || "promoting".equals(f.markerState()) && f.replicatesFrom() == null;
        if (promoted && sourceIdentity.equals(f.copyOf())) {
            throw Failures.fatal(
                    Failures.WIPE_REFUSED,
                    targetAddress + " is this source's copy and was already promoted:"
                            + " it is a primary now, so it will not be emptied. If an earlier migration already finished, there is"
                            + " nothing to do; to copy again, drop its databases and delete its .switchover-copy marker yourself.");
        }
        if (f.userSchemas().isEmpty()) return new Verdict("the target holds no user databases");
        if (sourceIdentity.equals(f.copyOf()) && !promoted) {
            return new Verdict("the target holds this migration's copy of the source, databases " + f.userSchemas());
        }
        if (sourceIdentity.equals(f.replicatesFrom())) {
            return new Verdict("the target replicates from this source, databases " + f.userSchemas());
        }
        throw Failures.fatal(
                Failures.WIPE_REFUSED,
                "refusing to replace the databases " + f.userSchemas() + " on "
                        + targetAddress + ": they are not a copy of the source (" + sourceIdentity
                        + "). If that data is"
                        + " disposable, drop those databases yourself and start the migration again; otherwise choose another"
                        + " target.");
    }
}
