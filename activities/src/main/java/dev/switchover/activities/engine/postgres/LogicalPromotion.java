package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.ssh.RemoteHost;
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
 * opened to its clients. Its marker then says promoted, which a retry finds.
 */
final class LogicalPromotion {
    private static final Logger log = LoggerFactory.getLogger(PostgresLogicalEngine.class);

    private final PgLogins logins;
    private final LogicalCutover cutover;
    private final LogicalSequences sequences;
    private final LogicalSubscriptions subscriptions;
    private final LogicalTargetClosing closing;

    LogicalPromotion(PgLogins logins, LogicalCutover cutover, LogicalTargetClosing closing) {
        this.logins = logins;
        this.cutover = cutover;
        this.sequences = new LogicalSequences(logins);
        this.subscriptions = new LogicalSubscriptions(logins);
        this.closing = closing;
    }

    PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        if (targetPromoted(spec)) return already(spec);
        String sourceEnd;
        List<String> databases;
        try (PgSession s = sourceForProof(spec)) {
            sourceEnd = SourceFence.prove(s, spec, spec.source().address());
            databases = LogicalNames.movedDatabases(spec, s);
        }
        cutover.awaitConfirmed(spec, databases, sourceEnd, dev.switchover.activities.engine.Progress.NONE);
        return finish(spec, databases, "every subscription confirmed the fenced source's end " + sourceEnd);
    }

    /**
     * The operator's choice while the source cannot be reached: the subscriptions confirmed the
     * freeze's final position when VerifySync ran, and nobody can say what the source did after it
     * was last seen fenced.
     */
    PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        if (targetPromoted(spec)) return already(spec);
        List<String> databases = databasesOnTarget(spec);
        return finish(
                spec,
                databases,
                "promoted without the source's proof at the freeze's final position " + frozen.finalPosition()
                        + "; the old source " + spec.source().address() + " must never serve as a primary again");
    }

    private PromotionResult finish(MigrationSpec spec, List<String> databases, String proof) {
        int set = sequences.copyIfReachable(spec, databases);
        List<String> left = new ArrayList<>();
        for (String db : databases) {
            if (subscriptions.exists(spec, db)) {
                String slot = subscriptions.drop(spec, db);
                if (!slot.isEmpty()) left.add(slot);
            }
        }
        markPromoted(spec);
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
        return ("promoted " + spec.name()).equals(marker(spec)) && !closing.isClosed(spec);
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

    private String markerPath(MigrationSpec spec) {
        String dir = logins.targetDataDirectory(spec);
        return dir.substring(0, dir.lastIndexOf('/') + 1) + ".switchover-promoted-" + spec.name();
    }

    private void markPromoted(MigrationSpec spec) {
        logins.ssh(spec.target()).writeFile(markerPath(spec), "promoted " + spec.name() + "\n", "0644", null);
    }

    private String marker(MigrationSpec spec) {
        RemoteHost host = logins.ssh(spec.target());
        return host.exists(markerPath(spec)) ? host.readFile(markerPath(spec)).strip() : null;
    }
}
