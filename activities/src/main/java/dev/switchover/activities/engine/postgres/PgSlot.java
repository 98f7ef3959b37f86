package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Pause;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The physical replication slot on the source: what it holds back, ending what streams from it,
 * dropping it. Undo, retiring the old source, promotion and the copy's retry work on it.
 */
final class PgSlot {
    /** Logged as the engine, as before the engine was split into its steps: operators' filters name it. */
    private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);

    /** How long undo keeps ending a slot's walsender to drop the slot. */
    private static final Duration SLOT_DROP_WAIT = Duration.ofSeconds(30);

    private PgSlot() {}

    /** WAL bytes the slot keeps on the source; 0 without it. */
    static long heldBytes(PgSession s, String slot) {
        String held = s.one(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text"
                        + " FROM pg_replication_slots WHERE slot_name = ?",
                slot);
        return held == null ? 0 : Long.parseLong(held);
    }

    /**
     * Ends whatever streams from the slot and drops it, again until it is gone: the reload that
     * shuts the standby out is asynchronous, and a standby that got back in holds the slot again.
     */
    static void drop(PgSession s, String slot) {
        Instant until = Instant.now().plus(SLOT_DROP_WAIT);
        while (s.one("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slot) != null) {
            s.execute(
                    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active",
                    slot);
            try {
                s.execute(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                + " WHERE slot_name = ? AND NOT active",
                        slot);
            } catch (IllegalStateException e) {
                log.debug("slot {} was taken again before it could be dropped: {}", slot, e.getMessage());
            }
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException(
                        "the replication slot " + slot + " is still in use " + SLOT_DROP_WAIT.toSeconds()
                                + "s after its walsender was ended; see pg_replication_slots.active_pid");
            }
            // At promotion clients wait for this: the walsender ends within milliseconds of the signal.
            Pause.sleep(PgCutover.CUTOVER_POLL);
        }
    }

    /**
     * With the target's server stopped and earlier copies stopped, whatever still streams from the
     * slot is a leftover walsender of a dead copy: end it so pg_basebackup can take the slot.
     */
    static void releaseFromEarlierCopy(PgSession s, String slot) {
        Instant until = Instant.now().plus(SLOT_DROP_WAIT);
        while (s.one("SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND active", slot) != null) {
            s.execute(
                    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active",
                    slot);
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException(
                        "the replication slot " + slot + " is still in use " + SLOT_DROP_WAIT.toSeconds()
                                + "s after the target was stopped; see pg_replication_slots.active_pid");
            }
            Pause.sleep(Duration.ofMillis(200));
        }
    }
}
