package dev.switchover.workflows;

import dev.switchover.workflows.activities.LagSample;

/** Lag in words for status lines, notes and failure messages. */
final class Lag {
    private Lag() {}

    static String bytes(long n) {
        return dev.switchover.workflows.status.ByteSize.human(n);
    }

    static String describe(LagSample s) {
        if (s == null) return "lag not measured yet";
        String held = s.retainedBytes() == null
                ? ""
                : "; WAL held for it on the source " + bytes(s.retainedBytes())
                        + (s.sourceFreeBytes() == null ? "" : " (" + bytes(s.sourceFreeBytes()) + " free there)");
        if (!s.streaming()) return "the target is not streaming (" + s.state() + ")" + held;
        return String.format(java.util.Locale.ROOT, "lag %s / %.1f s", bytes(s.lagBytes()), s.lagSeconds()) + held;
    }
}
