package dev.switchover.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every benchmark is given: the run counts and sizes asked for, the engines to measure (empty:
 * all), a scratch directory, a log.
 */
public record BenchContext(int runs, double copyGb, List<String> engines, Path work, Consumer<String> say) {
    boolean measures(String engine) {
        return engines.isEmpty() || engines.contains(engine);
    }
}
