package dev.switchover.workflows.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a hook command runs: on the worker's machine, or over SSH on the source or target host. */
public enum HookHost {
    LOCAL,
    SOURCE,
    TARGET;

    @JsonValue
    public String id() {
        return name().toLowerCase();
    }

    @JsonCreator
    public static HookHost of(String text) {
        return HookHost.valueOf(text.trim().toUpperCase());
    }
}
