package dev.switchover.workflows.spec;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;

/**
 * The target's disk benchmark: fio 4k random writes with direct I/O, as the runbook runs it. Below
 * {@code minIops} the migration stops before it touches anything. {@code directory} defaults to
 * the target's data directory's parent, where the data will live.
 */
public record BenchmarkSpec(
        Integer minIops,
        String size,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration runtime,

        Integer numJobs,
        String blockSize,
        Integer ioDepth,
        String directory) {

    BenchmarkSpec withDefaults() {
        return new BenchmarkSpec(
                minIops == null ? 10_000 : minIops,
                size == null ? "4G" : size,
                runtime == null ? Duration.ofSeconds(60) : runtime,
                numJobs == null ? 4 : numJobs,
                blockSize == null ? "4k" : blockSize,
                ioDepth == null ? 1 : ioDepth,
                directory);
    }
}
