package dev.switchover.bench;

import java.nio.file.Path;
import java.util.function.Consumer;

/** What every benchmark is given: the run counts and sizes asked for, a scratch directory, a log. */
public record BenchContext(int runs, double copyGb, Path work, Consumer<String> say) {}
