package dev.switchover.activities.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Command} in a session of its own: feeds its stdin, drains stdout and stderr on
 * threads of their own, heartbeats while it runs, enforces its timeout, and when an attempt ends
 * early (timed out, cancelled, interrupted, connection lost) stops everything it started.
 */
final class CommandRunner {
    // RemoteHost's logger: the bench and the worker's log settings listen to it for every SSH line.
    private static final Logger log = LoggerFactory.getLogger(RemoteHost.class);

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

    private final String address;
    private final SshConnection connection;

    CommandRunner(String address, SshConnection connection) {
        this.address = address;
        this.connection = connection;
    }

    /** Runs {@code command}, stopping what it started if the attempt ends early. */
    CommandResult run(Command command, Consumer<String> stderrLines, Consumer<String> stdoutLines) {
        return execute(command, stderrLines, stdoutLines, true);
    }

    /**
     * Stops every process on the host whose environment holds {@code entry} ({@code NAME=value}):
     * TERM, then KILL to what is left after 5 s. Is itself no run to clean up after.
     */
    CommandResult stopTagged(String entry) {
        return execute(
                Command.of("sh", "-c", KILL_RUN_SCRIPT, "sh", entry).withTimeout(KILL_TIMEOUT), null, null, false);
    }

    /** {@code cleanUp} false: the command is the clean-up itself, which must not recurse. */
    private CommandResult execute(
            Command command, Consumer<String> stderrLines, Consumer<String> stdoutLines, boolean cleanUp) {
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
                new OutputPump(running.getInputStream(), streaming ? TAIL_LIMIT : STDOUT_LIMIT, streaming, events);
        OutputPump err = new OutputPump(running.getErrorStream(), TAIL_LIMIT, streaming, events);
        start(out, "stdout");
        start(err, "stderr");
        start(() -> feed(running.getOutputStream(), command.remoteStdin()), "stdin");

        long timeoutNanos = command.timeout().toNanos();
        long giveUpAt = startedAt + timeoutNanos + CLIENT_GRACE.toNanos();
        long beatEvery = RemoteHost.HEARTBEAT_EVERY.toNanos();
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
                throw new RemoteTimeoutException(shown + " ran longer than " + command.timeout() + " and was killed");
            }
            if (!streaming && out.truncated()) {
                throw new RemoteCommandException(
                        shown + " printed more than " + (STDOUT_LIMIT >> 20) + " MiB; write it to a file", -1);
            }
            if (status == null) {
                log.warn("{}: ended without an exit status (signal {})", shown, running.getExitSignal());
            }
            log.debug("{}: exit {} after {} ms", shown, exitCode, (System.nanoTime() - startedAt) / 1_000_000);
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
            CommandResult r = stopTagged(Command.RUN_TAG_VARIABLE + "=" + runTag);
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
