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

  private final PgLogins logins;
  private final PgPreflight preflight;
  private final PgSourcePreparation sourcePreparation;
  private final PhysicalCopy copy;
  private final PgLag lag;
  private final PgCutover cutover;
  private final PgPromotion promotion;

  public PostgresEngine(Hosts hosts) {
    this.logins = new PgLogins(hosts);
    this.preflight = new PgPreflight(logins);
    this.sourcePreparation = new PgSourcePreparation(logins);
    this.copy = new PhysicalCopy(logins);
    this.lag = new PgLag(logins);
    this.cutover = new PgCutover(logins);
    this.promotion = new PgPromotion(logins);
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

  @Override
  public FrozenSource freezeWrites(MigrationSpec spec) {
    return cutover.freezeWrites(spec);
  }

  @Override
  public void unfreezeWrites(MigrationSpec spec) {
    cutover.unfreezeWrites(spec);
  }

  @Override
  public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
    return cutover.verifySync(spec, frozen, progress);
  }

  @Override
  public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
    return promotion.promote(spec, frozen);
  }

  @Override
  public boolean targetPromoted(MigrationSpec spec) {
    return promotion.targetPromoted(spec);
  }

  @Override
  public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
    return promotion.promoteWithoutSource(spec, frozen);
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
