package dev.switchover.activities.secrets;

/**
 * A password or similar value the worker resolved from its own environment or files. It prints as
 * {@code ***} so that it cannot leak through a log line, an exception or a record's toString;
 * {@link #reveal()} is the one way to read it, which makes every use easy to find.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** Wraps a value that is already known, e.g. one a test made up. */
    public static Secret of(String value) {
        if (value == null) throw new IllegalArgumentException("a secret cannot be null");
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "***";
    }
}
