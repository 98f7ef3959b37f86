package dev.switchover.activities.ssh;

import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.SshSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs programs on one host over SSH. Connects on first use and again whenever the connection has
 * dropped; host keys are checked strictly against the spec's known_hosts file and never learned.
 * Every argument is quoted for the remote shell (see {@link Command}); secrets go through stdin.
 *
 * <p>Safe to share between threads: SSH multiplexes one session per command over the connection.
 * Does not call Temporal: activities pass their heartbeat as {@link Command#withHeartbeat}.
 */
public final class RemoteHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RemoteHost.class);

  /** Heartbeats must come well within the shortest heartbeat timeout activities use (30 s). */
  public static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(5);

  private static final Pattern MODE = Pattern.compile("[0-7]{3,4}");
  private static final Pattern OWNER =
      Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?");

  /** Writes stdin to a temporary file beside the target, then renames it over the target. */
  private static final String WRITE_FILE_SCRIPT =
      "set -e; target=$1; mode=$2; owner=$3; expected=${4:-};"
          + " if [ -n \"$expected\" ] && [ \"$(sha256sum < \"$target\")\" != \"$expected  -\" ]; then exit 3; fi;"
          + " tmp=$(mktemp -- \"$target.switchover.XXXXXX\");"
          + " trap 'rm -f -- \"$tmp\"' EXIT;"
          + " cat > \"$tmp\";"
          + " if [ -n \"$owner\" ]; then chown -- \"$owner\" \"$tmp\";"
          + " elif [ -e \"$target\" ]; then chown --reference=\"$target\" -- \"$tmp\"; fi;"
          + " if [ -n \"$mode\" ]; then chmod -- \"$mode\" \"$tmp\";"
          + " elif [ -e \"$target\" ]; then chmod --reference=\"$target\" -- \"$tmp\"; fi;"
          + " sync -- \"$tmp\" 2>/dev/null || true;"
          + " mv -f -- \"$tmp\" \"$target\"; trap - EXIT";

  private final String address;
  private final SshConnection connection;
  private final CommandRunner runner;

  public RemoteHost(HostSpec host) {
    this(host.address(), host.ssh());
  }

  public RemoteHost(String address, SshSpec ssh) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("a host needs an address");
    }
    this.address = address;
    this.connection = new SshConnection(address, ssh);
    this.runner = new CommandRunner(address, connection);
  }

  public String address() {
    return address;
  }

  /** Runs {@code argv} and returns how it ended; a non-zero exit is a result, not an exception. */
  public CommandResult run(List<String> argv, Duration timeout) {
    return run(Command.of(argv).withTimeout(timeout));
  }

  /**
   * Runs {@code command} and returns how it ended; a non-zero exit is a result, not an exception.
   * Throws {@link RemoteTimeoutException} after killing it if it outlives its timeout, and {@link
   * RemoteCommandException} if the connection fails.
   */
  public CommandResult run(Command command) {
    return runner.run(command, null, null);
  }

  /**
   * Like {@link #run(Command)}, and hands each line of stderr and stdout to the consumers as it
   * arrives ({@code \r} ends a line too, for progress meters such as {@code pg_basebackup -P}).
   * The consumers run on the calling thread, between heartbeats; either may be null. The result
   * keeps only the last megabyte of each stream.
   */
  public CommandResult runStreaming(
      Command command, Consumer<String> stderrLines, Consumer<String> stdoutLines) {
    return runner.run(
        command,
        stderrLines == null ? line -> {} : stderrLines,
        stdoutLines == null ? line -> {} : stdoutLines);
  }

  /** {@link #runStreaming(Command, Consumer, Consumer)} with {@code timeout} for the command's. */
  public CommandResult runStreaming(
      Command command,
      Consumer<String> stderrLines,
      Consumer<String> stdoutLines,
      Duration timeout) {
    return runStreaming(command.withTimeout(timeout), stderrLines, stdoutLines);
  }

  /**
   * Stops every process on the host that a command tagged with {@code job} started (TERM, then
   * KILL), e.g. a copy left running by a worker that was killed: its SSH session is gone, but
   * sshd does not end a root session's processes.
   */
  public void stopJob(String job) {
    runner.stopTagged(Command.JOB_VARIABLE + "=" + job).orThrow("stopping earlier runs of " + job);
  }

  /** The file's contents (as UTF-8); throws {@link RemoteCommandException} if it cannot be read. */
  public String readFile(String path) {
    return run(Command.of("cat", "--", path)).orThrow("reading " + path).stdout();
  }

  /**
   * Replaces {@code path} atomically: writes a temporary file in the same directory, sets its
   * owner and mode, syncs it, and renames it over {@code path}, so that readers see the old or the
   * new contents, never a half-written file. {@code mode} (octal, e.g. {@code "0640"}) and {@code
   * owner} ({@code user} or {@code user:group}) may be null: the existing file's are kept, and a
   * new file gets mode 0600 and the login user.
   */
  public void writeFile(String path, String content, String mode, String owner) {
    if (mode != null && !MODE.matcher(mode).matches()) {
      throw new IllegalArgumentException("not an octal file mode: " + mode);
    }
    if (owner != null && !OWNER.matcher(owner).matches()) {
      throw new IllegalArgumentException("not an owner (user or user:group): " + owner);
    }
    run(Command.of(
                "sh",
                "-c",
                WRITE_FILE_SCRIPT,
                "sh",
                path,
                mode == null ? "" : mode,
                owner == null ? "" : owner)
            .withStdin(content))
        .orThrow("writing " + path);
  }

  /**
   * Replaces {@code path} with {@code content} as {@link #writeFile} does, but only if it still
   * holds {@code expected}: false, and nothing written, if somebody changed it since it was read.
   * Keeps the file's mode and owner.
   */
  public boolean replaceFile(String path, String expected, String content) {
    String sha256 = HexFormat.of().formatHex(sha256(expected.getBytes(StandardCharsets.UTF_8)));
    CommandResult r = run(Command.of("sh", "-c", WRITE_FILE_SCRIPT, "sh", path, "", "", sha256).withStdin(content));
    if (r.exitCode() == 3) return false;
    r.orThrow("writing " + path);
    return true;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** True if {@code path} exists on the host (following symlinks). */
  public boolean exists(String path) {
    CommandResult r = run(Command.of("test", "-e", path));
    if (r.exitCode() == 0 || r.exitCode() == 1) return r.exitCode() == 0;
    r.orThrow("checking whether " + path + " exists");
    throw new IllegalStateException("unreachable");
  }

  /** Disconnects; the next command connects again. */
  @Override
  public void close() {
    connection.close();
  }

  /** Whether the connection sends small packets at once (TCP_NODELAY); connects if needed. */
  boolean sendsWithoutDelay() throws IOException {
    return connection.sendsWithoutDelay();
  }

  @Override
  public String toString() {
    return "RemoteHost(" + connection + ")";
  }
}
