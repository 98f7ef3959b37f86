package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.FreeSpace;
import dev.switchover.activities.engine.Memory;
import dev.switchover.activities.engine.Pause;
import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.DatabaseEngine;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's PostgreSQL steps: physical streaming replication set up by pg_basebackup -R with
 * a replication slot, cut over by freezing the source, proving the target replayed its last LSN,
 * and pg_promote(). SQL goes over JDBC; file and service work over SSH.
 */
public final class PostgresEngine implements DatabaseEngine {
  private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);

  /** How long promotion waits for the old source to drop its slot; past it, the slot is reported. */
  private static final Duration SLOT_DROP_BOUND = Duration.ofSeconds(5);
  /** Polling while clients wait for the cutover: every step of it adds to their pause. */
  static final Duration CUTOVER_POLL = Duration.ofMillis(20);
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
  private final PgPreflight preflight;
  private final PgSourcePreparation sourcePreparation;
  private final PhysicalCopy copy;
  private final PgLag lag;

  public PostgresEngine(Hosts hosts) {
    this.logins = new PgLogins(hosts);
    this.preflight = new PgPreflight(logins);
    this.sourcePreparation = new PgSourcePreparation(logins);
    this.copy = new PhysicalCopy(logins);
    this.lag = new PgLag(logins);
  }

  // ---- preflight ----

  @Override
  public PreflightReport preflight(MigrationSpec spec) {
    return preflight.preflight(spec);
  }

  @Override
  public String targetDataDirectory(MigrationSpec spec) {
    return logins.targetDataDirectory(spec);
  }

  // ---- prepare source ----

  @Override
  public SourcePreparation prepareSource(MigrationSpec spec) {
    return sourcePreparation.prepareSource(spec);
  }

  @Override
  public void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
    sourcePreparation.undoPrepareSource(spec, preparation);
  }

  @Override
  public String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
    return sourcePreparation.retireOldSource(spec, preparation);
  }

  // ---- base copy ----

  @Override
  public BaseCopyResult baseCopy(MigrationSpec spec, Progress progress) {
    return copy.baseCopy(spec, progress);
  }

  @Override
  public String quietTarget(MigrationSpec spec) {
    return copy.quietTarget(spec);
  }

  // ---- catch-up ----

  @Override
  public LagSample measureLag(MigrationSpec spec) {
    return lag.measureLag(spec);
  }

  // ---- cutover ----

  /**
   * Fences the source ({@link SourceFence}) and returns the position the target must reach.
   * Idempotent: a second call finds the fence in place and no session left to end. The position
   * is read only once no session that could still commit remains and the WAL before it is
   * flushed, so every commit a client saw succeed lies before it.
   */
  @Override
  public FrozenSource freezeWrites(MigrationSpec spec) {
    try (PgSession s = logins.source(spec)) {
      int ended = SourceFence.raise(s, logins.ssh(spec.source()), spec, () -> logins.source(spec));
      // Commits with synchronous_commit = off may still sit unwritten in the WAL buffers; the
      // switch flushes everything before it, and its end is a position the standby's replay
      // reports exactly (the end of the segment).
      s.execute("SELECT pg_switch_wal()");
      List<String> frozen = s.row("SELECT pg_current_wal_lsn()::text, system_identifier::text FROM pg_control_system()");
      String lsn = frozen.get(0);
      log.info("source {} fenced at {}; {} sessions ended", spec.source().address(), lsn, ended);
      return new FrozenSource(lsn, ended, frozen.get(1));
    }
  }

  /** Takes the fence down: the source takes writes again. Idempotent. */
  @Override
  public void unfreezeWrites(MigrationSpec spec) {
    try (PgSession s = logins.source(spec)) {
      SourceFence.lower(s, logins.ssh(spec.source()), spec);
    }
  }

  @Override
  public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
    Instant until = Instant.now().plus(spec.cutover().syncTimeout());
    String replayed = null;
    try (PgSession t = logins.target(spec, true)) {
      proveCopyOf(t, spec, sourceIdOf(spec, frozen));
      while (Instant.now().isBefore(until)) {
        List<String> row = t.row("SELECT pg_last_wal_replay_lsn()::text,"
            + " pg_wal_lsn_diff(pg_last_wal_replay_lsn(), ?::pg_lsn) >= 0", frozen.finalPosition());
        replayed = row.get(0);
        if ("t".equals(row.get(1))) return new SyncProof(frozen.finalPosition(), replayed);
        progress.alive();
        sleep(CUTOVER_POLL);
      }
    }
    throw Failures.fatal(Failures.SYNC_NOT_REACHED, "the target replayed only up to " + replayed + " within "
        + spec.cutover().syncTimeout().toSeconds() + "s of the freeze, not the source's final " + frozen.finalPosition()
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
  private static void proveCopyOf(PgSession t, MigrationSpec spec, String sourceId) {
    String targetId = t.one("SELECT system_identifier::text FROM pg_control_system()");
    if (!sourceId.equals(targetId)) {
      throw Failures.fatal(Failures.WRONG_HOST, spec.target().address() + " has system identifier " + targetId
          + ", not the source's " + sourceId + ": it is not a copy of the source, so it will not be promoted");
    }
  }

  /**
   * Promotes the target only on proof taken now: the source is still fenced, and the target has
   * replayed the source's WAL to its very end (so it holds every write, whatever happened since
   * the freeze). The source's proof runs beside the target's login, as clients wait for this step.
   * Once the target is primary nothing waits on the old source: its slot is dropped if it answers
   * within seconds, and reported otherwise. A retry that finds the target promoted needs no proof.
   */
  @Override
  public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
    CompletableFuture<SourceProof> proof = CompletableFuture.supplyAsync(() -> proveSource(spec), BESIDE);
    boolean already;
    String position;
    String slot;
    try (PgSession t = logins.target(spec, true)) {
      // A freeze recorded before it kept the source's identity: read it over the proof's own
      // session, since proving the fence ends every other session on the source.
      proveCopyOf(t, spec, frozen.sourceId() != null ? frozen.sourceId()
          : joinRethrowing(proof).session().one("SELECT system_identifier::text FROM pg_control_system()"));
      already = "f".equals(t.one("SELECT pg_is_in_recovery()"));
      if (!already) {
        String sourceEnd = joinRethrowing(proof).flushLsn();
        waitForReplay(t, spec, sourceEnd);
        pgPromote(t, spec, "the source's end " + sourceEnd);
      }
      CompletableFuture<String> slotDropped = proof.handle((p, e) -> p).thenApplyAsync(p -> dropOldSlot(spec, p), BESIDE);
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

  @Override
  public boolean targetPromoted(MigrationSpec spec) {
    try (PgSession t = logins.target(spec, true)) {
      return "f".equals(t.one("SELECT pg_is_in_recovery()"));
    }
  }


  /**
   * The operator's choice while the source cannot be reached: the target promoted on its own
   * proof, a copy of the source that replayed the freeze's final position. What happened on the
   * source after it was last seen fenced, nobody can say; the detail says so.
   */
  @Override
  public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
    if (frozen.sourceId() == null) {
      throw Failures.fatal(Failures.WRONG_HOST, "this freeze did not record the source's identity, so the target cannot"
          + " prove it is its copy without the source; start the source's server again, or abort");
    }
    try (PgSession t = logins.target(spec, true)) {
      proveCopyOf(t, spec, frozen.sourceId());
      boolean already = "f".equals(t.one("SELECT pg_is_in_recovery()"));
      if (!already) {
        waitForReplay(t, spec, frozen.finalPosition());
        pgPromote(t, spec, "the freeze's final position " + frozen.finalPosition() + ", without the source's proof");
      }
      String position = forgetTheSource(t, spec);
      return new PromotionResult(already, position, "promoted without the source's proof at the freeze's final position "
          + frozen.finalPosition() + "; the old source " + spec.source().address() + " must never serve as a primary"
          + " again, and still has the slot " + spec.replication().slot() + " if it comes back");
    }
  }

  /** pg_promote() without waiting (pg_promote(true) checks only every 100 ms), then polls the end of recovery. */
  private static void pgPromote(PgSession t, MigrationSpec spec, String at) {
    if (!"t".equals(t.one("SELECT pg_promote(false)"))) {
      throw new IllegalStateException("pg_promote() could not signal the postmaster on " + spec.target().address());
    }
    Pause.until(PROMOTE_WAIT, PROMOTE_POLL, () -> "f".equals(t.one("SELECT pg_is_in_recovery()")));
    log.info("target {} promoted with pg_promote() at {}", spec.target().address(), at);
  }

  /** The new primary keeps no replication password and does not try to follow the old source; returns its position. */
  private static String forgetTheSource(PgSession t, MigrationSpec spec) {
    if (!"f".equals(t.one("SELECT pg_is_in_recovery()"))) {
      throw new IllegalStateException(spec.target().address() + " is still in recovery " + PROMOTE_WAIT.toSeconds()
          + " s after pg_promote()");
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
      throw Failures.fatal(Failures.SOURCE_UNREACHABLE, "the source " + spec.source().address() + " cannot be reached"
          + " to prove it is still fenced (" + e.getMessage() + "). It was fenced at the freeze, and the fence"
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
    Pause.until(spec.cutover().syncTimeout(), CUTOVER_POLL, () -> "t".equals(t.one(sql, position)));
    if (!"t".equals(t.one(sql, position))) {
      throw Failures.fatal(Failures.SYNC_NOT_REACHED, "the target replayed only up to "
          + t.one("SELECT pg_last_wal_replay_lsn()::text") + " within " + spec.cutover().syncTimeout().toSeconds()
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
      String why = e instanceof java.util.concurrent.TimeoutException ? "no answer within " + SLOT_DROP_BOUND.toSeconds()
          + " s" : Failures.rootMessage(e.getCause());
      log.warn("the old source kept slot {}: {}", spec.replication().slot(), why);
      return "the old source " + spec.source().address() + " could not be asked to drop the slot "
          + spec.replication().slot() + " (" + why + "): if it still has it, it holds WAL there until dropped with"
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

  // ---- after promotion ----

  @Override
  public BackupResult backupNewPrimary(MigrationSpec spec, String backupName, Progress progress) {
    RemoteHost target = logins.ssh(spec.target());
    String os = spec.target().database().osUser();
    String dest = spec.backup().destination() + "/" + backupName;
    String socket;
    try (PgSession t = logins.target(spec, true)) {
      socket = t.one("SHOW unix_socket_directories").split(",")[0].strip();
    }
    if (target.exists(dest + "/backup_manifest")) {
      return new BackupResult(true, spec.target().address() + ":" + dest, directorySize(target, dest),
          "found complete from an earlier attempt");
    }
    target.stopJob("backup-" + spec.name());
    target.run(Command.of("rm", "-rf", "--", dest)).orThrow("removing an unfinished backup at " + dest);
    target.run(Command.of("install", "-d", "-o", os, "-m", "0700", spec.backup().destination(), dest))
        .orThrow("creating " + dest);
    long[] total = {0};
    List<String> args = new ArrayList<>(List.of("pg_basebackup", "-h", socket, "-p",
        String.valueOf(spec.target().database().port()), "-D", dest, "-Ft", "-z", "-X", "stream", "-c", "fast", "-P"));
    if (spec.backup().maxRate() != null) args.add("--max-rate=" + spec.backup().maxRate().strip());
    CommandResult r = target.runStreaming(Command.of(args)
        .asUser(os).withJob("backup-" + spec.name()).withTimeout(PhysicalCopy.COPY_TIMEOUT).withHeartbeat(progress::alive),
        line -> BaseBackupProgress.parse(line).ifPresent(p -> {
          total[0] = p.totalBytes();
          progress.alive();
        }), null);
    r.orThrow("the fresh backup of the new primary");
    return new BackupResult(true, spec.target().address() + ":" + dest, directorySize(target, dest),
        "pg_basebackup -Ft -z of " + total[0] + " bytes");
  }

  private static long directorySize(RemoteHost host, String dir) {
    String out = host.run(Command.of("du", "-sb", dir)).orThrow("measuring " + dir).stdout();
    return Long.parseLong(out.split("\\s+")[0]);
  }

  @Override
  public List<Check> memoryChecks(MigrationSpec spec) {
    long ram = Memory.totalBytes(logins.ssh(spec.target()));
    try (PgSession t = logins.target(spec, true)) {
      long shared = Long.parseLong(t.one("SELECT pg_size_bytes(current_setting('shared_buffers'))"));
      long cache = Long.parseLong(t.one("SELECT pg_size_bytes(current_setting('effective_cache_size'))"));
      return List.of(
          Memory.judge("shared_buffers", shared, ram, 0.15, 0.40, ram / 4),
          Memory.judge("effective_cache_size", cache, ram, 0.50, 0.90, ram * 3 / 4));
    }
  }

  static void sleep(Duration d) {
    Pause.sleep(d);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
