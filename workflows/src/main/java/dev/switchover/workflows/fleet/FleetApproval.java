package dev.switchover.workflows.fleet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Who opens the cutover gates of a fleet's migrations. */
public enum FleetApproval {
    /** Each migration is approved on its own (`switchover approve NAME`), or cuts over automatically. */
    DATABASE,
    /** One approval for the wave: each of its migrations cuts over when it reaches the gate. */
    WAVE;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static FleetApproval of(String text) {
        for (FleetApproval a : values()) {
            if (a.id().equals(text)) return a;
        }
        throw new IllegalArgumentException("approval must be database or wave, not '" + text + "'");
    }
}
