package dev.switchover.workflows.activities;

/** One verified fact about a host, as preflight or the final checklist found it. */
public record Check(String name, Verdict verdict, String detail) {

    public enum Verdict {
        OK,
        WARN,
        FAIL,
        NOT_INSTALLED
    }

    public static Check ok(String name, String detail) {
        return new Check(name, Verdict.OK, detail);
    }

    public static Check warn(String name, String detail) {
        return new Check(name, Verdict.WARN, detail);
    }

    public static Check fail(String name, String detail) {
        return new Check(name, Verdict.FAIL, detail);
    }
}
