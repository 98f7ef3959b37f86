package dev.switchover.workflows.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How clients are moved to the new primary after promotion. */
public enum TrafficSwitch {
    NONE,
    COMMAND,
    PGBOUNCER;

    @JsonValue
    public String id() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static TrafficSwitch of(String text) {
        return TrafficSwitch.valueOf(text.trim().toUpperCase());
    }
}
