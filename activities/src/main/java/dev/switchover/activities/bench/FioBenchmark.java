package dev.switchover.activities.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BenchmarkResult;
import dev.switchover.workflows.spec.BenchmarkSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The runbook's disk test on the target: fio 4k random writes with direct I/O, JSON output. Its
 * test files go in a directory of their own that is removed afterwards, so a retry starts clean.
 */
public final class FioBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FioBenchmark() {}

    public static List<String> argv(BenchmarkSpec b, String directory) {
        return List.of(
                "fio",
                "--name=switchover-bench",
                "--directory=" + directory,
                "--ioengine=libaio",
                "--rw=randwrite",
                "--bs=" + b.blockSize(),
                "--direct=1",
                "--size=" + b.size(),
                "--numjobs=" + b.numJobs(),
                "--iodepth=" + b.ioDepth(),
                "--runtime=" + b.runtime().toSeconds(),
                "--group_reporting",
                "--output-format=json");
    }

    public static BenchmarkResult run(RemoteHost host, BenchmarkSpec b, String parentDirectory, Runnable heartbeat) {
        if (!host.run(Command.of("sh", "-c", "command -v fio")).ok()) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    host.address() + " has no fio; install it (apt-get install fio)"
                            + " so the target's disk can be measured before the migration relies on it.");
        }
        String dir = parentDirectory.replaceAll("/+$", "") + "/.switchover-fio";
        host.run(Command.of("rm", "-rf", "--", dir)).orThrow("clearing " + dir);
        host.run(Command.of("mkdir", "-p", dir)).orThrow("creating " + dir);
        try {
            CommandResult r = host.run(Command.of(argv(b, dir))
                    .withTimeout(b.runtime().plus(Duration.ofMinutes(10)))
                    .withHeartbeat(heartbeat));
            r.orThrow("fio on " + host.address());
            String version = host.run(Command.of("fio", "--version")).stdout().strip();
            return parse(r.stdout(), parentDirectory, version);
        } finally {
            host.run(Command.of("rm", "-rf", "--", dir));
        }
    }

    /** fio's JSON: jobs[0] with group_reporting holds the summed write side. */
    public static BenchmarkResult parse(String json, String directory, String version) {
        try {
            // fio may print warnings before the JSON document.
            JsonNode root = JSON.readTree(json.substring(Math.max(0, json.indexOf('{'))));
            JsonNode write = root.path("jobs").path(0).path("write");
            if (write.isMissingNode()) throw new IllegalStateException("fio's output has no jobs[0].write section");
            double p99 =
                    write.path("clat_ns").path("percentile").path("99.000000").asDouble(0) / 1000.0;
            return new BenchmarkResult(
                    write.path("iops").asDouble(), write.path("bw").asDouble(), p99, directory, version);
        } catch (IOException e) {
            throw new IllegalStateException("fio's output is not JSON: " + e.getMessage(), e);
        }
    }
}
