package dev.switchover.activities.ssh;

/**
 * How a remote program ended. {@code command} is {@code host: argv} as shown in logs (never a
 * secret); {@code exitCode} is -1 if the program was killed by a signal.
 */
public record CommandResult(String command, int exitCode, String stdout, String stderr) {
    /** How much of stderr a failure message quotes: enough for the error, not a whole log. */
    static final int STDERR_TAIL_CHARS = 2000;

    /** For tests and fakes that do not care which command produced the result. */
    public CommandResult(int exitCode, String stdout, String stderr) {
        this("(command)", exitCode, stdout, stderr);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /**
     * Returns this result if the program exited 0, else throws a retryable {@link
     * RemoteCommandException} saying {@code what} failed, the command, its exit code and the end of
     * its stderr.
     */
    public CommandResult orThrow(String what) {
        if (ok()) return this;
        throw new RemoteCommandException(
                what
                        + " failed: "
                        + command
                        + " exited with "
                        + exitCode
                        + (stderr.isBlank()
                                ? " and printed nothing on stderr"
                                : "; stderr ends with:\n" + tail(stderr)),
                exitCode);
    }

    static String tail(String text) {
        String t = text.strip();
        return t.length() <= STDERR_TAIL_CHARS ? t : "..." + t.substring(t.length() - STDERR_TAIL_CHARS);
    }
}
