package dev.switchover.workflows.activities;

/** fio's verdict on the target's disk: 4k random writes with direct I/O. */
public record BenchmarkResult(
        double writeIops, double writeBandwidthKiBs, double p99LatencyMicros, String directory, String fioVersion) {}
