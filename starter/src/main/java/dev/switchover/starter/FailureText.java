package dev.switchover.starter;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowException;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import java.util.ArrayList;
import java.util.List;

/** Failures in the operator's words: the messages of a cause chain, without the SDK's decoration. */
final class FailureText {
    private FailureText() {}

    /**
     * One line per cause, outermost first; a cause whose text an earlier line already says is left
     * out, since the workflow repeats the root cause in its own message.
     */
    static List<String> chain(Throwable failure) {
        List<String> lines = new ArrayList<>();
        StringBuilder said = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String line = line(t);
            if (line == null || line.isBlank() || said.indexOf(stripType(line)) >= 0) continue;
            lines.add(line);
            said.append(line).append('\n');
        }
        return lines;
    }

    /** The innermost ApplicationFailure's type, or null. */
    static String applicationType(Throwable failure) {
        String type = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure a) {
                type = a.getType();
                break;
            }
        }
        return type;
    }

    private static String line(Throwable t) {
        if (t instanceof WorkflowException) return null;
        if (t instanceof ApplicationFailure a) {
            return a.getOriginalMessage()
                    + (a.getType() == null || a.getType().isBlank() ? "" : " [" + a.getType() + "]");
        }
        if (t instanceof ActivityFailure a) return "activity " + a.getActivityType() + " failed";
        if (t instanceof TimeoutFailure f)
            return "timed out ("
                    + f.getTimeoutType().name().replace("TIMEOUT_TYPE_", "").toLowerCase() + ")";
        if (t instanceof CanceledFailure f) return "cancelled" + suffix(f.getOriginalMessage());
        if (t instanceof TerminatedFailure f) return "terminated" + suffix(f.getOriginalMessage());
        if (t instanceof TemporalFailure f) return f.getOriginalMessage();
        if (t instanceof StatusRuntimeException e) return grpcReason(e);
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String suffix(String message) {
        return message == null || message.isBlank() ? "" : ": " + message;
    }

    private static String stripType(String line) {
        int bracket = line.lastIndexOf(" [");
        return bracket > 0 ? line.substring(0, bracket) : line;
    }

    /** A gRPC error as one line: "UNAVAILABLE: io exception" rather than the full status dump. */
    static String grpcReason(Throwable e) {
        StatusRuntimeException grpc = grpcCause(e);
        if (grpc == null) return e.getMessage();
        Status s = grpc.getStatus();
        String why = s.getDescription();
        if (why == null && s.getCause() != null) why = s.getCause().getMessage();
        return s.getCode() + (why == null ? "" : ": " + why);
    }

    /** The gRPC status behind an SDK exception, or null. */
    static StatusRuntimeException grpcCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException s) return s;
        }
        return null;
    }

    static boolean grpcCode(Throwable e, Status.Code code) {
        StatusRuntimeException s = grpcCause(e);
        return s != null && s.getStatus().getCode() == code;
    }
}
