package dev.switchover.starter;

/** What the CLI's exit status means, so scripts and runbooks can rely on it. */
public final class ExitCodes {
    /** Done: the migration completed, the request was accepted, the answer was printed. */
    public static final int OK = 0;
    /** The migration failed or was aborted, the workflow refused the request, or Temporal is unreachable. */
    public static final int FAILED = 1;
    /** The operator's input is wrong: a usage error, an invalid spec, an unknown workflow id. */
    public static final int BAD_INPUT = 2;
    /**
     * {@code start} started nothing: a migration of this spec already completed (its source is no
     * longer the primary). Told apart from 0 so that automation does not count it as a new run.
     */
    public static final int NOT_STARTED = 3;

    private ExitCodes() {}
}
