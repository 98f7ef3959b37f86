package dev.switchover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Supplier;

/** One measurement of {@code make bench}: it fills its section of latest.json. */
public interface Benchmark {
    void run(BenchContext ctx, ObjectNode section) throws Exception;

    /** The section as Markdown for latest.md: a heading, a table, and what the figures mean. */
    String markdown(JsonNode section);

    /** The benchmarks, by their key in latest.json. */
    enum Name {
        CUTOVER("cutover", CutoverBench::new),
        BASE_COPY("baseCopy", BaseCopyBench::new),
        OVERHEAD("orchestration", OverheadBench::new),
        CLI("cli", CliLatencyBench::new);

        private final String id;
        private final Supplier<Benchmark> factory;

        Name(String id, Supplier<Benchmark> factory) {
            this.id = id;
            this.factory = factory;
        }

        public String id() {
            return id;
        }

        Benchmark create() {
            return factory.get();
        }
    }
}
