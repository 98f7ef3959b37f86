package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Pause;
import dev.switchover.activities.engine.Progress;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cutover up to promotion, every step of which can be taken back: the source fenced at a
 * final position ({@link SourceFence}), the fence lowered again, and the proof that the target, a
 * copy of this source, replayed up to that position. {@link PgPromotion} goes past the point of
 * no return.
 */
final class PgCutover {
    /** Logged as the engine, as before the engine was split into its steps: operators' filters name it. */
    private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);

    /** Polling while clients wait for the cutover: every step of it adds to their pause. */
    static final Duration CUTOVER_POLL = Duration.ofMillis(20);

    private final PgLogins logins;

    PgCutover(PgLogins logins) {
        this.logins = logins;
    }

    /**
     * Fences the source ({@link SourceFence}) and returns the position the target must reach.
     * Idempotent: a second call finds the fence in place and no session left to end. The position
     * is read only once no session that could still commit remains and the WAL before it is
     * flushed, so every commit a client saw succeed lies before it.
     */
    FrozenSource freezeWrites(MigrationSpec spec) {
        try (PgSession s = logins.source(spec)) {
            int ended = SourceFence.raise(s, logins.ssh(spec.source()), spec, () -> logins.source(spec));
            // Commits with synchronous_commit = off may still sit unwritten in the WAL buffers; the
            // switch flushes everything before it, and its end is a position the standby's replay
            // reports exactly (the end of the segment).
            s.execute("SELECT pg_switch_wal()");
            List<String> frozen =
                    s.row("SELECT pg_current_wal_lsn()::text, system_identifier::text FROM pg_control_system()");
            String lsn = frozen.get(0);
            log.info("source {} fenced at {}; {} sessions ended", spec.source().address(), lsn, ended);
            return new FrozenSource(lsn, ended, frozen.get(1));
        }
    }

    /** Takes the fence down: the source takes writes again. Idempotent. */
    void unfreezeWrites(MigrationSpec spec) {
        try (PgSession s = logins.source(spec)) {
            SourceFence.lower(s, logins.ssh(spec.source()), spec);
        }
    }

    SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        Instant until = Instant.now().plus(spec.cutover().syncTimeout());
        String replayed = null;
        try (PgSession t = logins.target(spec, true)) {
            proveCopyOf(t, spec, sourceIdOf(spec, frozen));
            while (Instant.now().isBefore(until)) {
                List<String> row = t.row(
                        "SELECT pg_last_wal_replay_lsn()::text,"
                                + " pg_wal_lsn_diff(pg_last_wal_replay_lsn(), ?::pg_lsn) >= 0",
                        frozen.finalPosition());
                replayed = row.get(0);
                if ("t".equals(row.get(1))) return new SyncProof(frozen.finalPosition(), replayed);
                progress.alive();
                Pause.sleep(CUTOVER_POLL);
            }
        }
        throw Failures.fatal(
                Failures.SYNC_NOT_REACHED,
                "the target replayed only up to " + replayed + " within "
                        + spec.cutover().syncTimeout().toSeconds() + "s of the freeze, not the source's final "
                        + frozen.finalPosition()
                        + "; nothing was promoted and the source will be made writable again");
    }

    /** The source's system identifier as the freeze read it, or from the source for a freeze that did not keep it. */
    private String sourceIdOf(MigrationSpec spec, FrozenSource frozen) {
        if (frozen.sourceId() != null) return frozen.sourceId();
        try (PgSession s = logins.source(spec)) {
            return s.one("SELECT system_identifier::text FROM pg_control_system()");
        }
    }

    /** The right host: the target must be a copy of this source (same system identifier). */
    static void proveCopyOf(PgSession t, MigrationSpec spec, String sourceId) {
        String targetId = t.one("SELECT system_identifier::text FROM pg_control_system()");
        if (!sourceId.equals(targetId)) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    spec.target().address() + " has system identifier " + targetId + ", not the source's " + sourceId
                            + ": it is not a copy of the source, so it will not be promoted");
        }
    }
}
