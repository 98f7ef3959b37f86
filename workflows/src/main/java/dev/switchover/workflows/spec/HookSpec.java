package dev.switchover.workflows.spec;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;

/**
 * An operator's command, run with {@code sh -c} on {@code host} (the worker's machine by default),
 * that must exit 0 within {@code timeout}.
 */
public record HookSpec(
        String command,
        HookHost host,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration timeout) {

    HookSpec withDefaults() {
        return new HookSpec(
                command, host == null ? HookHost.LOCAL : host, timeout == null ? Duration.ofSeconds(60) : timeout);
    }
}
