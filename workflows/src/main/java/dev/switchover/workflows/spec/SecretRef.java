package dev.switchover.workflows.spec;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where the worker finds a secret: {@code env:NAME} (an environment variable of the worker) or
 * {@code file:/absolute/path} (a file on the worker's machine). The spec is kept in the workflow
 * history, so it holds these references, never the secret; the worker resolves them.
 *
 * <p>Messages about a text that is not a reference never repeat it: it is probably a password.
 */
public record SecretRef(Kind kind, String name) {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The two places a secret can come from. */
    public enum Kind {
        /** {@link #name()} is the environment variable's name. */
        ENV,
        /** {@link #name()} is the file's absolute path. */
        FILE
    }

    public SecretRef {
        if (kind == null || name == null) {
            throw new IllegalArgumentException("a secret reference needs a kind and a name");
        }
        String problem = problemWith((kind == Kind.ENV ? "env:" : "file:") + name);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    /** True if {@code text} is a well-formed reference; false for null and for anything else. */
    public static boolean isReference(String text) {
        return text != null && problemWith(text) == null;
    }

    /**
     * Parses a reference, or throws IllegalArgumentException saying how to write one; the message
     * does not contain {@code text}.
     */
    public static SecretRef parse(String text) {
        String problem = problemWith(text);
        if (problem != null) throw new IllegalArgumentException(problem);
        return text.startsWith("env:")
                ? new SecretRef(Kind.ENV, text.substring(4))
                : new SecretRef(Kind.FILE, text.substring(5));
    }

    /** What is wrong with {@code text} as a reference and how to fix it, or null if nothing is. */
    static String problemWith(String text) {
        if (text == null || text.isBlank()) {
            return "is empty; write env:VARIABLE or file:/path/to/secret, which the worker reads";
        }
        if (text.startsWith("env:")) {
            return ENV_NAME.matcher(text.substring(4)).matches()
                    ? null
                    : "env: must be followed by an environment variable name (letters, digits and _, not"
                            + " starting with a digit), e.g. env:SWITCHOVER_REPLICATION_PASSWORD";
        }
        if (text.startsWith("file:")) {
            String path = text.substring(5);
            return path.startsWith("/") && path.length() > 1 && path.indexOf('\n') < 0
                    ? null
                    : "file: must be followed by an absolute path, e.g." + " file:/etc/switchover/replication-password";
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("env:") || lower.startsWith("file:")) {
            return "write the reference's prefix in lower case: env:VARIABLE or file:/path/to/secret";
        }
        return "looks like an inline secret; write env:VARIABLE or file:/path/to/secret instead (the"
                + " spec is kept in the workflow history, so it must not hold passwords)";
    }

    /** The reference as written in a spec: {@code env:NAME} or {@code file:/path}. */
    @Override
    public String toString() {
        return (kind == Kind.ENV ? "env:" : "file:") + name;
    }
}
