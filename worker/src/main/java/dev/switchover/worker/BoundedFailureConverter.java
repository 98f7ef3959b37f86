package dev.switchover.worker;

import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.FailureConverter;
import io.temporal.failure.DefaultFailureConverter;

/**
 * Temporal's own conversion, with each failure kept well inside the server's size limit (4 KB for
 * an activity's failure by default). Past it the server keeps only "Failure exceeds size limit."
 * and the innermost message, so an SSH error with its library's deep stack reached the operator
 * as "Failure exceeds size limit.: No route to host" while the worker's log had the real text.
 * The messages come first and stay whole as long as they can; stacks are cut short, then dropped
 * (the worker's log has them in full).
 */
final class BoundedFailureConverter implements FailureConverter {
    /** Serialized bytes: three quarters of the server's default error limit. */
    static final int LIMIT = 3072;

    private static final int STACK_LINES = 6;
    private static final int MAX_CAUSES = 4;
    private static final int SHORT_MESSAGE = 400;

    private final FailureConverter delegate = new DefaultFailureConverter();

    @Override
    public RuntimeException failureToException(Failure failure, DataConverter dataConverter) {
        return delegate.failureToException(failure, dataConverter);
    }

    @Override
    public Failure exceptionToFailure(Throwable e, DataConverter dataConverter) {
        return bounded(delegate.exceptionToFailure(e, dataConverter));
    }

    static Failure bounded(Failure failure) {
        Failure f = trim(failure, MAX_CAUSES, STACK_LINES, Integer.MAX_VALUE);
        if (f.getSerializedSize() <= LIMIT) return f;
        f = trim(failure, MAX_CAUSES, 0, Integer.MAX_VALUE);
        if (f.getSerializedSize() <= LIMIT) return f;
        return trim(failure, MAX_CAUSES, 0, SHORT_MESSAGE);
    }

    private static Failure trim(Failure f, int causes, int stackLines, int messageChars) {
        Failure.Builder b = f.toBuilder()
                .setStackTrace(firstLines(f.getStackTrace(), stackLines))
                .setMessage(shortened(f.getMessage(), messageChars));
        if (!f.hasCause()) return b.build();
        if (causes == 0) return b.clearCause().build();
        return b.setCause(trim(f.getCause(), causes - 1, stackLines, messageChars))
                .build();
    }

    private static String firstLines(String stack, int lines) {
        if (lines == 0 || stack.isEmpty()) return "";
        String[] all = stack.split("\n", lines + 1);
        if (all.length <= lines) return stack;
        return String.join("\n", java.util.Arrays.copyOf(all, lines)) + "\n\t... (the worker's log has the rest)";
    }

    private static String shortened(String message, int chars) {
        return message.length() <= chars ? message : message.substring(0, chars) + "…";
    }
}
