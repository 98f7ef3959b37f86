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

  /**
   * How long after a command's timeout the worker waits for the host's own {@code timeout} to
   * report the kill, before giving up on the channel: TERM, then KILL 5 s later, plus the trip.
   */
  private static final Duration CLIENT_GRACE = Duration.ofSeconds(Command.KILL_AFTER_SECONDS + 10);

  /** Exit codes of coreutils' {@code timeout}: TERM sent, and KILL sent after the grace. */
  private static final int TIMED_OUT = 124;
  private static final int TIMED_OUT_KILLED = 128 + 9;

  /** run() keeps all of stdout; beyond this the program should write to a file instead. */
  private static final int STDOUT_LIMIT = 16 << 20;
  /** Streaming and stderr keep only the end, for messages. */
  private static final int TAIL_LIMIT = 1 << 20;

  /** How often the wait for output also checks whether the program has exited. */
  private static final Duration POLL = Duration.ofMillis(250);

  /**
   * After the program exits, how long its output may stay open before the worker stops reading:
   * enough to drain what is in flight, short enough not to wait on a daemon it left behind.
   */
  private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);

  /**
   * TERM to every process whose environment holds the entry {@code $1} ({@code
   * SWITCHOVER_RUN=tag}), then KILL to what is left after 5 s.
   */
  private static final String KILL_RUN_SCRIPT =
      "entry=$1; pids() { for f in $(grep -lzxF -- \"$entry\" /proc/[0-9]*/environ 2>/dev/null); do"
          + " p=${f#/proc/}; echo \"${p%/environ}\"; done; };"
          + " p=$(pids); [ -z \"$p\" ] && exit 0; kill -TERM $p 2>/dev/null; i=0;"
          + " while [ $i -lt 20 ]; do sleep 0.25; p=$(pids); [ -z \"$p\" ] && exit 0; i=$((i+1));"
          + " done; kill -KILL $p 2>/dev/null; exit 0";

  /** Enough for the kill script's TERM, its 5 s wait and its KILL. */
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(20);

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

  public RemoteHost(HostSpec host) {
    this(host.address(), host.ssh());
  }

  public RemoteHost(String address, SshSpec ssh) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("a host needs an address");
    }
    this.address = address;
    this.connection = new SshConnection(address, ssh);
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
    return execute(command, null, null);
  }

  /**
   * Like {@link #run(Command)}, and hands each line of stderr and stdout to the consumers as it
   * arrives ({@code \r} ends a line too, for progress meters such as {@code pg_basebackup -P}).
   * The consumers run on the calling thread, between heartbeats; either may be null. The result
   * keeps only the last megabyte of each stream.
   */
  public CommandResult runStreaming(
      Command command, Consumer<String> stderrLines, Consumer<String> stdoutLines) {
    return execute(
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
    execute(Command.of("sh", "-c", KILL_RUN_SCRIPT, "sh", Command.JOB_VARIABLE + "=" + job).withTimeout(KILL_TIMEOUT),
            null, null, false)
        .orThrow("stopping earlier runs of " + job);
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

  private CommandResult execute(
      Command command, Consumer<String> stderrLines, Consumer<String> stdoutLines) {
    return execute(command, stderrLines, stdoutLines, true);
  }

  /** {@code cleanUp} false: the command is the clean-up itself, which must not recurse. */
  private CommandResult execute(
      Command command,
      Consumer<String> stderrLines,
      Consumer<String> stdoutLines,
      boolean cleanUp) {
    String shown = address + ": " + command.display();
    log.info("{}", shown);
    boolean streaming = stderrLines != null || stdoutLines != null;
    String runTag = UUID.randomUUID().toString();
    Session session = connection.openSession();
    // Before the exec: the remote timeout(1) starts after it, so our clock never runs behind its
    // own, and a command it killed is always seen as past its timeout.
    long startedAt = System.nanoTime();
    Session.Command running;
    try {
      running = session.exec(command.remoteLine(runTag));
    } catch (IOException e) {
      SshConnection.closeQuietly(session);
      throw new RemoteCommandException("could not start " + shown + ": " + e.getMessage(), e);
    }

    BlockingQueue<OutputPump.Event> events = new LinkedBlockingQueue<>();
    OutputPump out =
        new OutputPump(
            running.getInputStream(), streaming ? TAIL_LIMIT : STDOUT_LIMIT, streaming, events);
    OutputPump err = new OutputPump(running.getErrorStream(), TAIL_LIMIT, streaming, events);
    start(out, "stdout");
    start(err, "stderr");
    start(() -> feed(running.getOutputStream(), command.remoteStdin()), "stdin");

    long timeoutNanos = command.timeout().toNanos();
    long giveUpAt = startedAt + timeoutNanos + CLIENT_GRACE.toNanos();
    long beatEvery = HEARTBEAT_EVERY.toNanos();
    long nextBeat = startedAt + beatEvery;
    boolean finished = false;
    try {
      int open = 2;
      long exitedAt = 0;
      while (open > 0) {
        long now = System.nanoTime();
        if (now - giveUpAt >= 0) {
          throw new RemoteTimeoutException(
              shown + " ran longer than " + command.timeout() + " and was killed");
        }
        if (exitedAt == 0 && (running.getExitStatus() != null || running.getExitSignal() != null)) {
          exitedAt = now;
        } else if (exitedAt != 0 && now - exitedAt >= DRAIN_AFTER_EXIT.toNanos()) {
          // A daemon it started (pg_ctl start) still holds stdout open; the program is done.
          log.warn("{}: exited, but something it started keeps its output open", shown);
          break;
        }
        long wait = Math.min(giveUpAt - now, POLL.toNanos());
        if (command.heartbeat() != null) wait = Math.min(wait, nextBeat - now);
        OutputPump.Event event = events.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
        if (event != null) {
          if (event.line() == null) {
            open--;
          } else {
            (event.from() == out ? stdoutLines : stderrLines).accept(event.line());
          }
        }
        if (command.heartbeat() != null && System.nanoTime() - nextBeat >= 0) {
          command.heartbeat().run();
          nextBeat = System.nanoTime() + beatEvery;
        }
      }
      IOException lost = out.failure() != null ? out.failure() : err.failure();
      if (lost != null) throw connectionLost(command, lost);
      if (open == 0) {
        long leftMillis = (giveUpAt - System.nanoTime()) / 1_000_000;
        running.join(Math.max(1, leftMillis), TimeUnit.MILLISECONDS);
      }
      Integer status = running.getExitStatus();
      int exitCode = status == null ? -1 : status;
      boolean pastTimeout = System.nanoTime() - startedAt >= timeoutNanos;
      // timeout(1) exits 124 after TERM; after KILL it is killed itself, with the whole group.
      boolean killed = exitCode == TIMED_OUT || exitCode == TIMED_OUT_KILLED || status == null;
      if (pastTimeout && killed) {
        throw new RemoteTimeoutException(
            shown + " ran longer than " + command.timeout() + " and was killed");
      }
      if (!streaming && out.truncated()) {
        throw new RemoteCommandException(
            shown + " printed more than " + (STDOUT_LIMIT >> 20) + " MiB; write it to a file", -1);
      }
      if (status == null) {
        log.warn("{}: ended without an exit status (signal {})", shown, running.getExitSignal());
      }
      log.debug(
          "{}: exit {} after {} ms", shown, exitCode, (System.nanoTime() - startedAt) / 1_000_000);
      finished = true;
      return new CommandResult(shown, exitCode, out.text(), err.text());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteCommandException("interrupted while running " + shown, e);
    } catch (IOException e) {
      throw connectionLost(command, e);
    } finally {
      if (finished || !cleanUp) {
        SshConnection.closeQuietly(session);
      } else {
        // Timed out, cancelled (the heartbeat threw), interrupted, or the connection was lost:
        // whatever the program started must not outlive this attempt and collide with a retry.
        abandon(session, runTag, shown);
      }
    }
  }

  private RemoteCommandException connectionLost(Command command, IOException e) {
    return new RemoteCommandException(
        "lost the connection to "
            + address
            + " while running "
            + command.display()
            + " ("
            + e.getMessage()
            + ")",
        e);
  }

  /**
   * Kills every process of the run, found by its {@code SWITCHOVER_RUN} tag, from a new session
   * (reconnecting if the connection is gone); then lets go of the channel without waiting, because
   * sshd answers a close only once the program is gone. Best effort: the host's {@code timeout}
   * remains the backstop.
   */
  private void abandon(Session session, String runTag, String shown) {
    boolean interrupted = Thread.interrupted();
    try {
      log.warn("{}: stopping it and everything it started", shown);
      CommandResult r =
          execute(
              Command.of("sh", "-c", KILL_RUN_SCRIPT, "sh", Command.RUN_TAG_VARIABLE + "=" + runTag)
                  .withTimeout(KILL_TIMEOUT),
              null,
              null,
              false);
      if (!r.ok()) log.warn("{}: could not stop it: {}", shown, r.stderr().strip());
    } catch (RuntimeException e) {
      log.warn("{}: could not stop it: {}", shown, e.getMessage());
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
    start(() -> SshConnection.closeQuietly(session), "close");
  }

  private void feed(OutputStream stdin, byte[] bytes) {
    try (stdin) {
      stdin.write(bytes);
      stdin.flush();
    } catch (IOException e) {
      // The program exited without reading all of its input; its exit code tells the story.
      log.debug("{}: writing stdin: {}", address, e.toString());
    }
  }

  private void start(Runnable task, String what) {
    Thread t = new Thread(task, "ssh " + address + " " + what);
    t.setDaemon(true);
    t.start();
  }
}
