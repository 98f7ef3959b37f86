package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Pause;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The point of no return: the target promoted with pg_promote() on proof taken at that moment
 * (the source still fenced and the target replayed to its end), or on the operator's word without
 * the source; then the new primary forgets the source and the old slot is dropped if it answers.
 */
final class PgPromotion {
    /** Logged as the engine, as before the engine was split into its steps: operators' filters name it. */
    private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);

    /** How long promotion waits for the old source to drop its slot; past it, the slot is reported. */
    private static final Duration SLOT_DROP_BOUND = Duration.ofSeconds(5);
    /** Where promotion's login to the source and its slot drop run, beside the target's work. */
    private static final ExecutorService BESIDE = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "promote-beside");
        thread.setDaemon(true);
        return thread;
    });
    /** pg_promote's own wait limit; promotion itself takes milliseconds (no checkpoint first). */
    private static final Duration PROMOTE_WAIT = Duration.ofSeconds(60);
    /** The end of recovery, looked for more often than pg_promote(true) does (every 100 ms). */
    private static final Duration PROMOTE_POLL = Duration.ofMillis(5);

    private final PgLogins logins;

    PgPromotion(PgLogins logins) {
        this.logins = logins;
    }

    /**
     * Promotes the target only on proof taken now: the source is still fenced, and the target has
     * replayed the source's WAL to its very end (so it holds every write, whatever happened since
     * the freeze). The source's proof runs beside the target's login, as clients wait for this step.
     * Once the target is primary nothing waits on the old source: its slot is dropped if it answers
     * within seconds, and reported otherwise. A retry that finds the target promoted needs no proof.
     */
    PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        CompletableFuture<SourceProof> proof = CompletableFuture.supplyAsync(() -> proveSource(spec), BESIDE);
        boolean already;
        String position;
        String slot;
        try (PgSession t = logins.target(spec, true)) {
            // A freeze recorded before it kept the source's identity: read it over the proof's own
            // session, since proving the fence ends every other session on the source.
            PgCutover.proveCopyOf(
                    t,
                    spec,
                    frozen.sourceId() != null
                            ? frozen.sourceId()
                            : joinRethrowing(proof)
                                    .session()
                                    .one("SELECT system_identifier::text FROM pg_control_system()"));
            already = "f".equals(t.one("SELECT pg_is_in_recovery()"));
            if (!already) {
                String sourceEnd = joinRethrowing(proof).flushLsn();
                waitForReplay(t, spec, sourceEnd);
                pgPromote(t, spec, "the source's end " + sourceEnd);
            }
            CompletableFuture<String> slotDropped =
                    proof.handle((p, e) -> p).thenApplyAsync(p -> dropOldSlot(spec, p), BESIDE);
            position = forgetTheSource(t, spec);
            slot = slotWithin(slotDropped, spec);
        } finally {
            settle(proof);
            proof.thenAccept(p -> p.session().close());
        }
        return new PromotionResult(already, position, already ? slot : "pg_promote(); " + slot);
    }

    /**
     * Lets a proof still running (the target was refused before it was needed) finish before the
     * attempt ends: it ends every other session on the source, a retry's own proof among them.
     * Bounded like the slot's drop; its outcome no longer matters.
     */
    private static void settle(CompletableFuture<SourceProof> proof) {
        try {
            proof.get(SLOT_DROP_BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // said by the step that needed the proof, or not needed at all
        }
    }

    boolean targetPromoted(MigrationSpec spec) {
        try (PgSession t = logins.target(spec, true)) {
            return "f".equals(t.one("SELECT pg_is_in_recovery()"));
        }
    }

    /**
     * The operator's choice while the source cannot be reached: the target promoted on its own
     * proof, a copy of the source that replayed the freeze's final position. What happened on the
     * source after it was last seen fenced, nobody can say; the detail says so.
     */
    PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        if (frozen.sourceId() == null) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    "this freeze did not record the source's identity, so the target cannot"
                            + " prove it is its copy without the source; start the source's server again, or abort");
        }
        try (PgSession t = logins.target(spec, true)) {
            PgCutover.proveCopyOf(t, spec, frozen.sourceId());
            boolean already = "f".equals(t.one("SELECT pg_is_in_recovery()"));
            if (!already) {
                waitForReplay(t, spec, frozen.finalPosition());
                pgPromote(
                        t,
                        spec,
                        "the freeze's final position " + frozen.finalPosition() + ", without the source's proof");
            }
            String position = forgetTheSource(t, spec);
            return new PromotionResult(
                    already,
                    position,
                    "promoted without the source's proof at the freeze's final position "
                            + frozen.finalPosition() + "; the old source "
                            + spec.source().address() + " must never serve as a primary"
                            + " again, and still has the slot "
                            + spec.replication().slot() + " if it comes back");
        }
    }

    /** pg_promote() without waiting (pg_promote(true) checks only every 100 ms), then polls the end of recovery. */
    private static void pgPromote(PgSession t, MigrationSpec spec, String at) {
        if (!"t".equals(t.one("SELECT pg_promote(false)"))) {
            throw new IllegalStateException("pg_promote() could not signal the postmaster on "
                    + spec.target().address());
        }
        Pause.until(PROMOTE_WAIT, PROMOTE_POLL, () -> "f".equals(t.one("SELECT pg_is_in_recovery()")));
        log.info("target {} promoted with pg_promote() at {}", spec.target().address(), at);
    }

    /** The new primary keeps no replication password and does not try to follow the old source; returns its position. */
    private static String forgetTheSource(PgSession t, MigrationSpec spec) {
        if (!"f".equals(t.one("SELECT pg_is_in_recovery()"))) {
            throw new IllegalStateException(spec.target().address() + " is still in recovery "
                    + PROMOTE_WAIT.toSeconds() + " s after pg_promote()");
        }
        t.execute("ALTER SYSTEM RESET primary_conninfo");
        t.execute("ALTER SYSTEM RESET primary_slot_name");
        t.execute("SELECT pg_reload_conf()");
        return t.one("SELECT pg_current_wal_lsn()::text");
    }

    /** The source's session and where its WAL ends, once it proved it is fenced. */
    private record SourceProof(PgSession session, String flushLsn) {}

    private SourceProof proveSource(MigrationSpec spec) {
        PgSession s;
        try {
            s = logins.sourceAfterFreeze(spec, "source");
        } catch (RuntimeException e) {
            if (!PgSession.unreachable(e)) throw e;
            throw Failures.fatal(
                    Failures.SOURCE_UNREACHABLE,
                    "the source " + spec.source().address() + " cannot be reached"
                            + " to prove it is still fenced (" + e.getMessage()
                            + "). It was fenced at the freeze, and the fence"
                            + " (pg_hba.conf, postgresql.auto.conf) outlives a restart. Nothing was promoted: the target "
                            + spec.target().address() + " is still a standby.");
        }
        try {
            return new SourceProof(s, SourceFence.prove(s, spec, spec.source().address()));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Waits until the target has replayed up to {@code position}, or fails: nothing promoted. */
    private static void waitForReplay(PgSession t, MigrationSpec spec, String position) {
        String sql = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), ?::pg_lsn) >= 0";
        Pause.until(spec.cutover().syncTimeout(), PgCutover.CUTOVER_POLL, () -> "t".equals(t.one(sql, position)));
        if (!"t".equals(t.one(sql, position))) {
            throw Failures.fatal(
                    Failures.SYNC_NOT_REACHED,
                    "the target replayed only up to "
                            + t.one("SELECT pg_last_wal_replay_lsn()::text") + " within "
                            + spec.cutover().syncTimeout().toSeconds()
                            + "s, not the fenced source's end " + position + "; refusing to promote");
        }
    }

    /**
     * Drops the old slot over the proof's session (or a new login, after a retry). Its failure is
     * said, not thrown: the new primary must not wait on the old source.
     */
    private String dropOldSlot(MigrationSpec spec, SourceProof proof) {
        String slot = spec.replication().slot();
        if (proof != null) {
            PgSlot.drop(proof.session(), slot);
        } else {
            try (PgSession s = logins.sourceAfterFreeze(spec, "source")) {
                PgSlot.drop(s, slot);
            }
        }
        return "slot " + slot + " dropped on the old source";
    }

    private static String slotWithin(CompletableFuture<String> dropped, MigrationSpec spec) {
        try {
            return dropped.get(SLOT_DROP_BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dropping the old slot", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            String why = e instanceof java.util.concurrent.TimeoutException
                    ? "no answer within " + SLOT_DROP_BOUND.toSeconds() + " s"
                    : Failures.rootMessage(e.getCause());
            log.warn("the old source kept slot {}: {}", spec.replication().slot(), why);
            return "the old source " + spec.source().address() + " could not be asked to drop the slot "
                    + spec.replication().slot() + " (" + why
                    + "): if it still has it, it holds WAL there until dropped with"
                    + " SELECT pg_drop_replication_slot('" + spec.replication().slot() + "')";
        }
    }

    /** Waits for {@code work} and throws what it threw, not a CompletionException around it. */
    private static <T> T joinRethrowing(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }
}
