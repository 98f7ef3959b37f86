package dev.switchover.starter;

/**
 * Ends a verb with an exit code and a message for the operator, printed to stderr as
 * {@code switchover: MESSAGE} without a stack trace.
 */
final class CliFailure extends RuntimeException {
    private final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static CliFailure badInput(String message) {
        return new CliFailure(ExitCodes.BAD_INPUT, message);
    }

    static CliFailure failed(String message) {
        return new CliFailure(ExitCodes.FAILED, message);
    }

    int exitCode() {
        return exitCode;
    }
}
