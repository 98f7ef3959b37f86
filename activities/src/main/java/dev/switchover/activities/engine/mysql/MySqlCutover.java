package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.RemoteCommandException;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cutover of a MySQL or MariaDB source: the fence raised at the freeze, the target proved to
 * hold the source's final transactions and nothing of its own, and the promotion, which happens
 * only on proof taken at that moment that the source is still fenced and has not moved.
 */
final class MySqlCutover {
    private static final Logger log = LoggerFactory.getLogger(MySqlCutover.class);
    /** At promotion a source that does not answer within this is unreachable, not slow. */
    private static final Duration PROOF_CONNECT = Duration.ofSeconds(4);

    private final MySqlEngine engine;
    private final Hosts hosts;
    private final Dialect dialect;

    MySqlCutover(MySqlEngine engine, Hosts hosts, Dialect dialect) {
        this.engine = engine;
        this.hosts = hosts;
        this.dialect = dialect;
    }

    private MySqlFence fence(MigrationSpec spec) {
        return new MySqlFence(dialect, hosts.ssh(spec.source()), spec);
    }

    /**
     * Raises the fence and returns the GTIDs the target must hold, read once no client session that
     * could still commit remains, so every commit a client saw succeed is in them. Idempotent.
     */
    FrozenSource freezeWrites(MigrationSpec spec) {
        try (MySqlSession s = engine.source(spec)) {
            MySqlFence.Raised raised = fence(spec).raise(s, () -> engine.source(spec));
            String position = executed(s);
            log.info(
                    "source {} fenced at {}: {} accounts locked, {} sessions ended",
                    spec.source().address(),
                    position,
                    raised.locked().size(),
                    raised.sessionsEnded());
            return new FrozenSource(position, raised.sessionsEnded(), engine.identity(s));
        }
    }

    /** Takes the fence down: writable, nothing persisted, exactly the accounts it locked unlocked. Idempotent. */
    void unfreezeWrites(MigrationSpec spec) {
        try (MySqlSession s = engine.source(spec)) {
            List<FenceAccounts.Account> unlocked = fence(spec).lift(s);
            if (!"0".equals(s.one("SELECT @@GLOBAL.read_only"))) {
                throw new IllegalStateException("the source still has read_only = ON after it was turned off");
            }
            log.info("source {} writable again; unlocked {}", spec.source().address(), unlocked);
        }
    }

    SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        String sourceId = frozen.sourceId();
        if (sourceId == null) {
            try (MySqlSession s = engine.source(spec)) {
                sourceId = engine.identity(s);
            }
        }
        Instant until = Instant.now().plus(spec.cutover().syncTimeout());
        try (MySqlSession t = engine.target(spec)) {
            proveReplicaOf(spec, t, sourceId);
            refuseErrant(spec, t, frozen.finalPosition());
            while (Instant.now().isBefore(until)) {
                if (holds(t, frozen.finalPosition(), 1)) {
                    refuseErrant(spec, t, frozen.finalPosition());
                    return new SyncProof(frozen.finalPosition(), applied(t));
                }
                progress.alive();
            }
            refuseErrant(spec, t, frozen.finalPosition());
            Version v = engine.version(t);
            throw Failures.fatal(
                    Failures.SYNC_NOT_REACHED,
                    "the target applied only " + applied(t) + " within "
                            + spec.cutover().syncTimeout().toSeconds() + "s of the freeze, not the source's final "
                            + frozen.finalPosition() + " ("
                            + engine.replica().problem(v, engine.replica().status(t)) + "); nothing was"
                            + " promoted and the source will be made writable again");
        }
    }

    /**
     * Promotes the target once it is proved, now, that the source is still fenced at the freeze's
     * final position and the target holds exactly that. A retry after the replication was reset
     * finds the target promoted by its marker and needs nothing from the source, which may be gone.
     */
    PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        try (MySqlSession t = engine.target(spec)) {
            if (engine.replica().status(t) == null) return alreadyPromoted(spec, frozen, t);
        }
        String sourceId = proveSourceFenced(spec, frozen);
        try (MySqlSession t = engine.target(spec)) {
            Version v = engine.version(t);
            proveReplicaOf(spec, t, sourceId);
            if (!holds(t, frozen.finalPosition(), 10)) {
                throw Failures.fatal(
                        Failures.SYNC_NOT_REACHED,
                        "the target has not applied the source's final position " + frozen.finalPosition() + " (it has "
                                + applied(t) + "); refusing to promote");
            }
            refuseErrant(spec, t, frozen.finalPosition());
            engine.marker().write(spec, "promoting", sourceId);
            t.execute(dialect.stopReplica(v));
            // ALL forgets the source and its password: the new primary must not follow the old one.
            t.execute(dialect.resetReplicaAll(v));
            log.info(
                    "target {} promoted: replication stopped and reset",
                    spec.target().address());
            return finish(spec, t, sourceId, false, dialect.resetReplicaAll(v) + ", read_only off");
        }
    }

    /** Whether the target takes writes now: read_only is off. */
    boolean targetPromoted(MigrationSpec spec) {
        try (MySqlSession t = engine.target(spec)) {
            return "0".equals(t.one("SELECT @@GLOBAL.read_only"));
        }
    }

    /**
     * The operator's choice while the source cannot be reached: the target promoted on its own
     * proof, a replica of the frozen source (its replication still names the source's address and
     * identity) holding exactly the freeze's final transactions. Asks nothing of the source. A retry
     * after the replication was reset finds the target promoted by its marker.
     */
    PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        if (frozen.sourceId() == null) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    "this freeze did not record the source's identity, so the target cannot"
                            + " prove it is its copy without the source; start the source's server again, or abort");
        }
        try (MySqlSession t = engine.target(spec)) {
            if (engine.replica().status(t) == null) return alreadyPromoted(spec, frozen, t);
            Version v = engine.version(t);
            proveReplicaOf(spec, t, frozen.sourceId());
            if (!holds(t, frozen.finalPosition(), 10)) {
                throw Failures.fatal(
                        Failures.SYNC_NOT_REACHED,
                        "the target has not applied the freeze's final position "
                                + frozen.finalPosition() + " (it has " + applied(t)
                                + "), and without the source it never will: start the"
                                + " source's server again, or abort");
            }
            refuseErrant(spec, t, frozen.finalPosition());
            engine.marker().write(spec, "promoting", frozen.sourceId());
            t.execute(dialect.stopReplica(v));
            t.execute(dialect.resetReplicaAll(v));
            log.info(
                    "target {} promoted without the source's proof at {}",
                    spec.target().address(),
                    frozen.finalPosition());
            return finish(
                    spec,
                    t,
                    frozen.sourceId(),
                    false,
                    "promoted without the source's proof at the freeze's final"
                            + " position " + frozen.finalPosition() + "; the old source "
                            + spec.source().address() + " must never"
                            + " serve as a primary again (it comes back fenced if it is started)");
        }
    }

    /**
     * What stays on the old source after promotion: the whole fence, and the replication account
     * (a fenced MySQL refuses account changes). Asks nothing of the source, which may be gone.
     */
    String retireOldSource(MigrationSpec spec) {
        String record = ".switchover-locked-" + spec.name() + " in its data directory";
        String keep = dialect.fenceKept(spec.name());
        String reopen = dialect.fenceReopening();
        return "the old source " + spec.source().address() + " stays fenced: " + keep + ", its client accounts locked"
                + " (listed in " + record + "), and the replication account "
                + spec.replication().user() + "@"
                + spec.target().address() + " stays. To write there again on purpose: " + reopen
                + ", then ALTER USER ..."
                + " ACCOUNT UNLOCK for each listed account";
    }

    private PromotionResult alreadyPromoted(MigrationSpec spec, FrozenSource frozen, MySqlSession t) {
        String[] marker = engine.marker().read(spec);
        boolean ours = marker != null
                && List.of("promoting", "promoted").contains(marker[0])
                && (frozen.sourceId() == null || frozen.sourceId().equals(marker[1]));
        if (!ours || !holds(t, frozen.finalPosition(), 0)) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    spec.target().address() + " has no replication configured and"
                            + " is not this migration's promoted copy of the source holding its final transactions "
                            + frozen.finalPosition() + "; refusing to promote it");
        }
        return finish(spec, t, marker[1], true, "was already primary");
    }

    private PromotionResult finish(MigrationSpec spec, MySqlSession t, String sourceId, boolean already, String how) {
        // Replication is off: the accounts closed while the target was a replica open, then read_only.
        List<FenceAccounts.Account> unlocked = engine.targetFence(spec).open(t);
        engine.replica().writable(t);
        if (!"0".equals(t.one("SELECT @@GLOBAL.read_only"))) {
            throw new IllegalStateException(spec.target().address() + " is still read-only after promotion");
        }
        engine.marker().write(spec, "promoted", sourceId);
        return new PromotionResult(
                already,
                MySqlGtidSet.oneLine(t.one("SELECT " + dialect.executedVariable())),
                unlocked.isEmpty() ? how : how + ", " + unlocked.size() + " accounts unlocked");
    }

    /** The source's identity, once it is proved fenced and still at the freeze's final position. */
    private String proveSourceFenced(MigrationSpec spec, FrozenSource frozen) {
        MySqlSession s;
        try {
            s = engine.source(spec, PROOF_CONNECT);
        } catch (ApplicationFailure refused) {
            throw refused;
        } catch (RuntimeException e) {
            throw unreachable(spec, frozen, e.getMessage());
        }
        try (s) {
            String id = engine.identity(s);
            if (frozen.sourceId() != null && !frozen.sourceId().equals(id)) {
                throw Failures.fatal(
                        Failures.WRONG_HOST,
                        spec.source().address() + " is now the server " + id + ", not " + frozen.sourceId()
                                + ", which was frozen; nothing was promoted");
            }
            List<String> gaps = new ArrayList<>(fence(spec).gaps(s));
            String now = executed(s);
            if (!dialect.sameTransactions(s, now, frozen.finalPosition())) {
                gaps.add("it has moved past the freeze: it has executed " + now + ", it was frozen at "
                        + frozen.finalPosition());
            }
            if (!gaps.isEmpty()) {
                throw Failures.fatal(
                        Failures.SOURCE_NOT_FENCED,
                        "the source " + spec.source().address() + " is no longer"
                                + " fenced: " + String.join("; ", gaps) + ". Nothing was promoted: the target "
                                + targetState(spec)
                                + ". Promoting now could lose writes or leave two writable servers; find what took the fence down"
                                + " (a person, a configuration run, a restart with other settings) before going on.");
            }
            return id;
        } catch (RemoteCommandException e) {
            if (e.getCause() == null) throw e;
            throw unreachable(spec, frozen, e.getMessage());
        }
    }

    private ApplicationFailure unreachable(MigrationSpec spec, FrozenSource frozen, String why) {
        return Failures.fatal(
                Failures.SOURCE_UNREACHABLE,
                "the source " + spec.source().address() + " cannot be"
                        + " reached to prove it is still fenced (" + why
                        + "). When last seen, at the freeze, it was fenced at "
                        + frozen.finalPosition()
                        + " (read_only kept across restarts, client accounts locked, sessions ended)."
                        + " Nothing was promoted: the target " + targetState(spec) + ".");
    }

    /** The target's state in words, for a refusal; never fails. */
    private String targetState(MigrationSpec spec) {
        try (MySqlSession t = engine.target(spec)) {
            Map<String, String> st = engine.replica().status(t);
            Version v = engine.version(t);
            return spec.target().address() + " is "
                    + ("1".equals(t.one("SELECT @@GLOBAL.read_only")) ? "read-only" : "WRITABLE")
                    + ", "
                    + (st == null
                            ? "replicating from nobody"
                            : "a replica of " + st.get(dialect.column(v, "Source_Host")))
                    + ", holding " + applied(t);
        } catch (RuntimeException e) {
            return spec.target().address() + " could not be read (" + e.getMessage() + ")";
        }
    }

    /** Fails if the target holds transactions the source's final position does not. */
    private void refuseErrant(MigrationSpec spec, MySqlSession t, String finalPosition) {
        String errant = dialect.errantTransactions(t, finalPosition);
        if (errant.isEmpty()) return;
        throw Failures.fatal(
                Failures.ERRANT_TRANSACTIONS,
                "the target " + spec.target().address() + " holds"
                        + " transactions the source never had: " + errant + " (the source's final position is "
                        + finalPosition
                        + "). Something wrote to the target itself after the copy; promoting it would serve data the source does"
                        + " not have. Nothing was promoted and the source will be made writable again: find what wrote them, then"
                        + " start the migration again (the copy is rebuilt).");
    }

    /** Waits up to {@code seconds} for the target to have applied every transaction up to {@code position}. */
    private boolean holds(MySqlSession t, String position, int seconds) {
        if (position == null || position.isBlank()) return true;
        return dialect.waitApplied(t, position, seconds);
    }

    /** Asks nothing of the source: {@code sourceId} is known (recorded at the freeze, or just proved). */
    private void proveReplicaOf(MigrationSpec spec, MySqlSession t, String sourceId) {
        String from = engine.replica().replicatesFrom(spec, t, sourceId);
        if (!sourceId.equals(from)) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    spec.target().address() + " does not replicate from the source "
                            + sourceId + " (its replication points at "
                            + (from == null ? "another server or nowhere" : from)
                            + "), so it is not this migration's copy and will not be promoted");
        }
    }

    private String executed(MySqlSession s) {
        return MySqlGtidSet.oneLine(s.one("SELECT " + dialect.executedVariable()));
    }

    private String applied(MySqlSession t) {
        return MySqlGtidSet.oneLine(t.one("SELECT " + dialect.appliedVariable()));
    }
}
