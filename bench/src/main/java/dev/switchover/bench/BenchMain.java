package dev.switchover.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make bench}: runs the benchmarks on lab hosts and writes {@code results/latest.json} and
 * {@code results/latest.md}. Each benchmark adds its own section; a benchmark left out keeps the
 * section of the last run that had it, so one can be re-run alone.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measures cutover write-unavailability, base copy speed and orchestration overhead.")
public final class BenchMain implements Callable<Integer> {
    @Option(names = "--only", split = ",", description = "Benchmarks to run: ${COMPLETION-CANDIDATES} (default: all).")
    List<Benchmark.Name> only = List.of(Benchmark.Name.values());

    @Option(names = "--runs", description = "Cutover runs per engine (default: ${DEFAULT-VALUE}).")
    int runs = 5;

    @Option(
            names = "--engines",
            split = ",",
            description = "Cutover engines to measure: postgresql, postgresql-logical, mysql"
                    + " (default: all); the others' figures in latest.json are kept from the earlier run.")
    List<String> engines = List.of();

    @Option(names = "--copy-gb", description = "Size of the base-copy database in GB (default: ${DEFAULT-VALUE}).")
    double copyGb = 2.0;

    @Option(names = "--results", description = "Where latest.json and latest.md go (default: ${DEFAULT-VALUE}).")
    Path results = Path.of("bench/results");

    @Option(
            names = "--work",
            description = "Scratch directory for specs, logs and reports (default: ${DEFAULT-VALUE}).")
    Path work = Path.of("/var/tmp/switchover-bench");

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Results r = Results.load(results);
        r.machine(Machine.describe());
        BenchContext ctx = new BenchContext(runs, copyGb, engines, work, BenchMain::say);
        for (Benchmark.Name name : only) {
            say("== " + name.id());
            Benchmark b = name.create();
            ObjectNode earlier = r.earlier(name.id());
            ObjectNode section = r.section(name.id());
            b.run(ctx, section);
            if (!engines.isEmpty() && name == Benchmark.Name.CUTOVER && earlier != null) {
                earlier.fields().forEachRemaining(f -> {
                    if (!section.has(f.getKey())) section.set(f.getKey(), f.getValue());
                });
            }
            r.save(results);
            say("results: " + results.resolve("latest.json") + ", " + results.resolve("latest.md"));
        }
        return 0;
    }

    static void say(String line) {
        System.out.println(java.time.LocalTime.now().withNano(0) + " " + line);
        System.out.flush();
    }
}
