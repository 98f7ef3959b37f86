package dev.switchover.workflows.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Who opens the cutover gate: an operator's approval, or the workflow itself once in sync. */
public enum CutoverMode {
    MANUAL,
    AUTOMATIC;

    @JsonValue
    public String id() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static CutoverMode of(String text) {
        return CutoverMode.valueOf(text.trim().toUpperCase());
    }
}
