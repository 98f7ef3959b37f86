package dev.switchover.activities.ssh;

/** A remote command ran past its timeout and was killed. Retryable like any command failure. */
public class RemoteTimeoutException extends RemoteCommandException {
    public RemoteTimeoutException(String message) {
        super(message, -1);
    }
}
