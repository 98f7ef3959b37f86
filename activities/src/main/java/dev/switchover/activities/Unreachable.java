package dev.switchover.activities;

import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A host that does not answer at all: no route, nothing listening, no answer within the connect
 * timeout, a name that does not resolve. In preflight nothing has changed yet and waiting two
 * hours helps no one at 3 a.m., so after {@link #PATIENCE} of Temporal's own retries (a blip
 * passes in that time) preflight fails with the real cause and what to check.
 */
public final class Unreachable {
    /** How long preflight keeps retrying a host that does not answer before it gives up. */
    public static final Duration PATIENCE = Duration.ofSeconds(40);

    private Unreachable() {}

    /** The network-level cause of {@code e}, if the other side never answered. */
    public static Optional<Throwable> cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException
                    || t instanceof NoRouteToHostException
                    || t instanceof PortUnreachableException
                    || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException) {
                return Optional.of(t);
            }
            // JDBC: SQLSTATE class 08 is "connection exception", raised before any login was tried.
            if (t instanceof SQLException s
                    && s.getSQLState() != null
                    && s.getSQLState().startsWith("08")
                    && networkCause(s)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private static boolean networkCause(SQLException s) {
        for (Throwable t = s.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) return true;
        }
        // Drivers that do not chain the socket's exception say so in words.
        String m = String.valueOf(s.getMessage()).toLowerCase();
        return m.contains("refused") || m.contains("no route") || m.contains("timed out") || m.contains("unknown host");
    }

    /**
     * {@code e} as a final failure if it says a host did not answer and preflight has been trying
     * for {@link #PATIENCE}; otherwise {@code e} itself, for Temporal to retry.
     */
    public static RuntimeException inPreflight(RuntimeException e, MigrationSpec spec, ActivityInfo info, Instant now) {
        Optional<Throwable> cause = cause(e);
        if (cause.isEmpty()) return e;
        Duration trying = Duration.between(Instant.ofEpochMilli(info.getScheduledTimestamp()), now);
        if (trying.compareTo(PATIENCE) < 0) return e;
        return fatal(e, cause.get(), spec, trying);
    }

    private static ApplicationFailure fatal(RuntimeException e, Throwable cause, MigrationSpec spec, Duration trying) {
        String text = String.valueOf(e.getMessage());
        String role = text.contains(spec.target().address())
                ? "target"
                : text.contains(spec.source().address()) ? "source" : null;
        String what = role == null
                ? "a host"
                : "the " + role + " " + (role.equals("target") ? spec.target() : spec.source()).address();
        return Failures.fatal(
                Failures.HOST_UNREACHABLE,
                "preflight cannot reach " + what + ": " + text
                        + (text.contains(String.valueOf(cause.getMessage())) ? "" : " (" + cause + ")")
                        + "; tried for " + trying.toSeconds() + " s. Nothing was changed. Check "
                        + (role == null ? "the addresses" : role + ".address")
                        + " in the spec, that the host is up, and that"
                        + " its SSH and database ports are open from this worker's host; then start the migration again.");
    }
}
