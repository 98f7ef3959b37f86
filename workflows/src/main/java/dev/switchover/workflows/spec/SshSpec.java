package dev.switchover.workflows.spec;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;

/**
 * How the worker logs in to a host. Host keys are always checked strictly against
 * {@code knownHosts}; the private key is a file on the worker's machine, never its contents.
 */
public record SshSpec(
        String user,
        Integer port,
        String privateKey,
        String knownHosts,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration connectTimeout) {

    SshSpec withDefaults() {
        return new SshSpec(
                user == null ? "root" : user,
                port == null ? 22 : port,
                privateKey,
                knownHosts == null ? "~/.ssh/known_hosts" : knownHosts,
                connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout);
    }
}
