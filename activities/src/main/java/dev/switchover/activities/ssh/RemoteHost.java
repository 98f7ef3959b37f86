package dev.switchover.activities.ssh;

import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.SshSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs programs on one host over SSH. Connects on first use and again whenever the connection has
 * dropped; host keys are checked strictly against the spec's known_hosts file and never learned.
 * Every argument is quoted for the remote shell (see {@link Command}); secrets go through stdin.
 *
 * <p>Safe to share between threads: SSH multiplexes one session per command over the connection.
 * Does not call Temporal: activities pass their heartbeat as {@link Command#withHeartbeat}.
 */
public final class RemoteHost implements AutoCloseable {
    /** Heartbeats must come well within the shortest heartbeat timeout activities use (30 s). */
    public static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(5);

    private final String address;
    private final SshConnection connection;
    private final CommandRunner runner;
    private final RemoteFiles files;

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
        this.files = new RemoteFiles(runner);
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
    public CommandResult runStreaming(Command command, Consumer<String> stderrLines, Consumer<String> stdoutLines) {
        return runner.run(
                command,
                stderrLines == null ? line -> {} : stderrLines,
                stdoutLines == null ? line -> {} : stdoutLines);
    }

    /** {@link #runStreaming(Command, Consumer, Consumer)} with {@code timeout} for the command's. */
    public CommandResult runStreaming(
            Command command, Consumer<String> stderrLines, Consumer<String> stdoutLines, Duration timeout) {
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
        return files.readFile(path);
    }

    /**
     * Replaces {@code path} atomically: writes a temporary file in the same directory, sets its
     * owner and mode, syncs it, and renames it over {@code path}, so that readers see the old or the
     * new contents, never a half-written file. {@code mode} (octal, e.g. {@code "0640"}) and {@code
     * owner} ({@code user} or {@code user:group}) may be null: the existing file's are kept, and a
     * new file gets mode 0600 and the login user.
     */
    public void writeFile(String path, String content, String mode, String owner) {
        files.writeFile(path, content, mode, owner);
    }

    /**
     * Replaces {@code path} with {@code content} as {@link #writeFile} does, but only if it still
     * holds {@code expected}: false, and nothing written, if somebody changed it since it was read.
     * Keeps the file's mode and owner.
     */
    public boolean replaceFile(String path, String expected, String content) {
        return files.replaceFile(path, expected, content);
    }

    /** True if {@code path} exists on the host (following symlinks). */
    public boolean exists(String path) {
        return files.exists(path);
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
