package dev.switchover.activities.ssh;

/**
 * A remote command failed, timed out, or lost its connection. Retryable: Temporal retries the
 * activity, whose steps are idempotent. {@link #exitCode()} is the program's exit code, or -1 when
 * there is none (timeout, lost connection, killed by a signal).
 */
public class RemoteCommandException extends RuntimeException {
    private final int exitCode;

    public RemoteCommandException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public RemoteCommandException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = -1;
    }

    public int exitCode() {
        return exitCode;
    }
}
