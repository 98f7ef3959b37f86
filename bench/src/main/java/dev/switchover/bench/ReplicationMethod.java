package dev.switchover.bench;

import dev.switchover.testkit.LabPair;
import java.util.function.Consumer;

/**
 * What a cutover lab's migration replicates by: the lines its spec's {@code replication:} block
 * starts with (none for the engine's default), and what the fresh source gets before the writer
 * starts.
 */
record ReplicationMethod(String replicationLines, Consumer<LabPair> sourceBeforeWriter, String described) {
    /** The engine's own default (physical for PostgreSQL): the pair's spec and servers as they are. */
    static final ReplicationMethod DEFAULT = new ReplicationMethod("", pair -> {}, "");

    /**
     * A subscription per database. The lab's fresh source has wal_level = replica; were it left to
     * prepare-source's restart (cutover.allowSourceRestart), PgBouncer, finding the source down,
     * would wait its server_login_retry (15 s by default) before logging in again, and on a
     * migration of seconds that wait holds the writer into the cutover's window (15.0 s measured):
     * a figure of the restart, not of the cutover. So the restart comes first, as an operator
     * would plan it, and the spec does not allow one.
     */
    static final ReplicationMethod LOGICAL = new ReplicationMethod(
            "  method: logical\n",
            pair -> pair.run(
                    "exec",
                    pair.sourceName(),
                    "sh",
                    "-c",
                    "cd / && runuser -u postgres -- psql -X -q -c 'ALTER SYSTEM SET wal_level = logical'"
                            + " && pg_ctlcluster 15 main restart"),
            "; `replication.method: logical` (PostgreSQL 15 → 15, a subscription per database), the source's"
                    + " wal_level = logical set and the source restarted before the writer starts (a restart in"
                    + " prepare-source would hold PgBouncer's clients for its server_login_retry, 15 s, into the"
                    + " window on a migration this short)");

    String apply(String spec) {
        return spec.replace("\nreplication:\n", "\nreplication:\n" + replicationLines);
    }
}
