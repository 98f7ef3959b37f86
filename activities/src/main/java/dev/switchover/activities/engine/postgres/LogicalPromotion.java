package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Progress;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logical method's point of no return: on proof taken now (the source still fenced, and every
 * subscription confirmed the source's WAL to its end), the sequences are set once more, the
 * subscriptions dropped (their slots on the source with them, where it answers), and the target
 * opened to its clients. Its marker ({@link PromotionMarker}) says how far it got, which a retry
 * finds.
 */
final class LogicalPromotion {
    private static final Logger log = LoggerFactory.getLogger(PostgresLogicalEngine.class);

    private final PgLogins logins;
    private final LogicalCutover cutover;
    private final LogicalSequences sequences;
    private final LogicalSubscriptions subscriptions;
    private final LogicalTargetClosing closing;
    private final PromotionMarker marker;

    LogicalPromotion(PgLogins logins, LogicalCutover cutover, LogicalTargetClosing closing) {
        this.logins = logins;
        this.cutover = cutover;
        this.sequences = new LogicalSequences(logins);
        this.subscriptions = new LogicalSubscriptions(logins);
        this.closing = closing;
        this.marker = new PromotionMarker(logins);
    }

    PromotionResult promote(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        String state = marker.state(spec);
        if (promoted(spec, state)) return already(spec);
        String sourceEnd;
        List<String> databases;
        try (PgSession s = sourceForProof(spec)) {
            sourceEnd = SourceFence.prove(s, spec, spec.source().address());
            databases = LogicalNames.movedDatabases(spec, s);
        }
        // An attempt cut short after its proof dropped some subscriptions, and their slots with them:
        // those were proved then, and the source has been fenced since (proved again just now); the
        // ones still there prove it now.
        List<String> subscribed = state == null ? databases : databasesOnTarget(spec);
        if (!subscribed.isEmpty()) cutover.awaitConfirmed(spec, subscribed, sourceEnd, Progress.NONE);
        return finish(
                spec, databases, "every subscription confirmed the fenced source's end " + sourceEnd, progress, state);
    }

    /**
     * The operator's choice while the source cannot be reached: the subscriptions confirmed the
     * freeze's final position when VerifySync ran, and nobody can say what the source did after it
     * was last seen fenced.
     */
    PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        String state = marker.state(spec);
        if (promoted(spec, state)) return already(spec);
        List<String> databases = databasesOnTarget(spec);
        return finish(
                spec,
                databases,
                "promoted without the source's proof at the freeze's final position " + frozen.finalPosition()
                        + "; the old source " + spec.source().address() + " must never serve as a primary again",
                progress,
                state);
    }

    /** {@code state}: the marker's as this attempt found it. */
    private PromotionResult finish(
            MigrationSpec spec, List<String> databases, String proof, Progress progress, String state) {
        int set = sequences.copyIfReachable(spec, databases);
        if (state == null) marker.mark(spec, PromotionMarker.PROMOTING);
        List<String> left = new ArrayList<>();
        for (String db : databases) {
            if (subscriptions.exists(spec, db)) {
                String slot = subscriptions.drop(spec, db);
                if (!slot.isEmpty()) left.add(slot);
            }
        }
        progress.reached("subscriptions dropped; opening the target to its clients");
        marker.mark(spec, PromotionMarker.PROMOTED);
        closing.open(spec);
        String position;
        try (PgSession t = logins.target(spec, "postgres")) {
            position = t.one("SELECT pg_current_wal_lsn()::text");
        }
        log.info(
                "target {} promoted: subscriptions dropped, open to clients ({})",
                spec.target().address(),
                proof);
        return new PromotionResult(
                false,
                position,
                proof + "; " + (set < 0 ? "" : set + " sequences set; ") + "subscriptions dropped"
                        + (left.isEmpty() ? "" : "; " + String.join("; ", left)) + "; the target takes clients now");
    }

    /** Promoted: this migration's marker says so, and the target is open. */
    boolean targetPromoted(MigrationSpec spec) {
        return promoted(spec, marker.state(spec));
    }

    private boolean promoted(MigrationSpec spec, String state) {
        return PromotionMarker.PROMOTED.strip().equals(state) && !closing.isClosed(spec);
    }

    private PromotionResult already(MigrationSpec spec) {
        try (PgSession t = logins.target(spec, "postgres")) {
            return new PromotionResult(
                    true, t.one("SELECT pg_current_wal_lsn()::text"), "the target was already promoted");
        }
    }

    private PgSession sourceForProof(MigrationSpec spec) {
        try {
            return logins.sourceAfterFreeze(spec, "source");
        } catch (RuntimeException e) {
            if (!PgSession.unreachable(e)) throw e;
            throw Failures.fatal(
                    Failures.SOURCE_UNREACHABLE,
                    "the source " + spec.source().address() + " cannot be reached to prove it is still fenced ("
                            + e.getMessage() + "). It was fenced at the freeze, and the fence (pg_hba.conf,"
                            + " postgresql.auto.conf) outlives a restart. Nothing was promoted: the target "
                            + spec.target().address() + " is still closed to clients and subscribed to the source.");
        }
    }

    /** The databases with this migration's subscription on the target, asked of the target alone. */
    private List<String> databasesOnTarget(MigrationSpec spec) {
        try (PgSession t = logins.target(spec, "postgres")) {
            return t
                    .rows(
                            "SELECT d.datname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid"
                                    + " WHERE s.subname = ? ORDER BY 1",
                            LogicalNames.subscription(spec))
                    .stream()
                    .map(r -> r.get(0))
                    .toList();
        }
    }
}
