package dev.switchover.worker.durability;

import java.util.Locale;

/**
 * A place in a migration where the crash matrix kills the worker: just before an activity runs,
 * just after it did its work but before Temporal hears of it (the hardest case for idempotency),
 * or at its first heartbeat, which is the middle of a long step. Written as {@code after:Promote},
 * {@code heartbeat:BackupNewPrimary} or {@code before:MeasureLag#3} (the third call). A heartbeat
 * point may name a stage, {@code heartbeat:BaseCopy@subscribed}: the first heartbeat whose details
 * say it, a place inside a step that reports where it has got to.
 */
record CrashPoint(When when, String activityType, int occurrence, String stage) {
    enum When {
        BEFORE,
        AFTER,
        HEARTBEAT
    }

    static CrashPoint parse(String text) {
        String[] whenRest = text.split(":", 2);
        String[] atStage = whenRest[1].split("@", 2);
        String[] typeN = atStage[0].split("#", 2);
        return new CrashPoint(
                When.valueOf(whenRest[0].toUpperCase(Locale.ROOT)),
                typeN[0],
                typeN.length == 2 ? Integer.parseInt(typeN[1]) : 1,
                atStage.length == 2 ? atStage[1] : null);
    }

    /** Whether a heartbeat with these details is one this point counts. */
    boolean counts(Object heartbeatDetails) {
        return stage == null
                || (heartbeatDetails != null && heartbeatDetails.toString().contains(stage));
    }

    @Override
    public String toString() {
        return when.name().toLowerCase(Locale.ROOT) + ":" + activityType + (occurrence == 1 ? "" : "#" + occurrence)
                + (stage == null ? "" : "@" + stage);
    }
}
