package dev.switchover.worker.durability;

import java.util.Locale;

/**
 * A place in a migration where the crash matrix kills the worker: just before an activity runs,
 * just after it did its work but before Temporal hears of it (the hardest case for idempotency),
 * or at its first heartbeat, which is the middle of a long step. Written as {@code after:Promote},
 * {@code heartbeat:BackupNewPrimary} or {@code before:MeasureLag#3} (the third call).
 */
record CrashPoint(When when, String activityType, int occurrence) {
    enum When {
        BEFORE,
        AFTER,
        HEARTBEAT
    }

    static CrashPoint parse(String text) {
        String[] whenRest = text.split(":", 2);
        String[] typeN = whenRest[1].split("#", 2);
        return new CrashPoint(
                When.valueOf(whenRest[0].toUpperCase(Locale.ROOT)),
                typeN[0],
                typeN.length == 2 ? Integer.parseInt(typeN[1]) : 1);
    }

    @Override
    public String toString() {
        return when.name().toLowerCase(Locale.ROOT) + ":" + activityType + (occurrence == 1 ? "" : "#" + occurrence);
    }
}
