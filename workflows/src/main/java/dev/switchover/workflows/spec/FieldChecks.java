package dev.switchover.workflows.spec;

import java.time.Duration;

/**
 * The checks every part of the spec shares: a secret written as a reference, a port, a duration, a
 * count, an absolute path, a value that is not empty, a hook's command and timeout. Every part's
 * checks report through the one instance {@link SpecValidator} makes, so each problem lands in its
 * list in the order it is found. Pure, like the validator.
 */
final class FieldChecks {
    private static final String SECRET_REQUIRED =
            "is required; write env:VARIABLE or file:/path/to/secret, which the worker reads";
    private static final String SHELL_COMMAND_REQUIRED =
            "is required; write the shell command to run (it runs with sh -c and must exit 0)";

    private final EngineRules.Problems problems;

    FieldChecks(EngineRules.Problems problems) {
        this.problems = problems;
    }

    void add(String field, String message) {
        problems.add(field, message);
    }

    void hook(String prefix, HookSpec hook) {
        if (hook == null) return;
        if (isBlank(hook.command())) add(prefix + ".command", SHELL_COMMAND_REQUIRED);
        positive(prefix + ".timeout", hook.timeout());
    }

    /** Never repeats the value: if it is not a reference it is probably the password itself. */
    void secret(String field, String value) {
        if (isBlank(value)) {
            add(field, SECRET_REQUIRED);
            return;
        }
        String problem = SecretRef.problemWith(value);
        if (problem != null) add(field, problem);
    }

    void port(String field, Integer port) {
        if (port != null && (port < 1 || port > 65535)) {
            add(field, port + " is not a TCP port; use a number from 1 to 65535");
        }
    }

    /** False if {@code d} is given and not positive, so checks that compare it with another can skip. */
    boolean positive(String field, Duration d) {
        if (d == null) return true;
        if (d.isNegative() || d.isZero()) {
            add(
                    field,
                    DurationText.format(d) + " is not a positive duration; write a length of time such as"
                            + " 30s, 5m or 1h30m");
            return false;
        }
        return true;
    }

    void atLeastOne(String field, Integer n, String example) {
        if (n != null && n < 1) add(field, n + " is too small; use 1 or more, " + example);
    }

    void absolutePath(String field, String path) {
        if (path == null) return;
        if (!path.startsWith("/")) {
            add(field, "'" + path + "' is not an absolute path; write it from the root, starting with /");
        }
    }

    void notBlank(String field, String value) {
        if (value != null && value.isBlank()) {
            add(field, "is empty; write a value, or remove the line to use the default");
        }
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
