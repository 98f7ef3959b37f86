package dev.switchover.workflows.fleet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a failed migration does to the rest of the fleet. */
public enum FailurePolicy {
    /**
     * The wave starts no further migration (those running go on to their own end) and no later
     * wave starts: a failure usually has a cause the other databases share.
     */
    STOP_WAVE,
    /** The wave's other migrations still start; later waves do not. */
    CONTINUE_WAVE;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static FailurePolicy of(String text) {
        for (FailurePolicy p : values()) {
            if (p.id().equals(text)) return p;
        }
        throw new IllegalArgumentException("onFailure must be stop-wave or continue-wave, not '" + text + "'");
    }
}
