package dev.switchover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.status.StepRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the orchestration costs: a small migration's end-to-end time minus the time inside the
 * database tools and minus the deliberate waits. What is left is the workflow and the worker:
 * Temporal round trips, SSH sessions, the checks before and after each step, starting the
 * standby and polling it, the report.
 */
final class OverheadBench implements Benchmark {
    /** Migrations measured; the one with the median overhead gives the per-phase table. */
    static final int RUNS = 3;

    @Override
    public void run(BenchContext ctx, ObjectNode section) throws Exception {
        section.put("loadAverageBefore", LoadAverage.now());
        BenchLab lab = new BenchLab();
        SmallMigration migration = new SmallMigration(ctx.work().resolve("overhead"));
        List<ObjectNode> runs = new ArrayList<>();
        for (int i = 1; i <= RUNS; i++) {
            SmallMigration.Run r = migration.run("bench-overhead-" + i);
            String serverLog = lab.sh(BenchLab.TARGET, "cat /var/log/postgresql/postgresql-15-main.log");
            ObjectNode one = account(r, ToolTime.of(r.commands(), serverLog, r.started()));
            ctx.say()
                    .accept(String.format(
                            "run %d: end to end %.1f s, tools %.1f s, waits %.1f s, overhead %.1f s",
                            i,
                            one.path("endToEndSeconds").asDouble(),
                            one.path("toolSeconds").asDouble(),
                            one.path("deliberateWaitSeconds").asDouble(),
                            one.path("overheadSeconds").asDouble()));
            runs.add(one);
        }
        runs.sort(Comparator.comparingDouble(n -> n.path("overheadSeconds").asDouble()));
        ObjectNode median = runs.get(runs.size() / 2);
        section.put("rows", SmallMigration.ROWS);
        section.put("runs", RUNS);
        for (String f : List.of("endToEndSeconds", "toolSeconds", "deliberateWaitSeconds", "overheadSeconds")) {
            section.put(
                    f,
                    Stats.round(Stats.median(
                            runs.stream().map(n -> n.path(f).asDouble()).toList())));
        }
        section.set("medianRun", median);
        ArrayNode all = section.putArray("perRun");
        runs.forEach(n -> all.addObject()
                .put("endToEndSeconds", n.path("endToEndSeconds").asDouble())
                .put("toolSeconds", n.path("toolSeconds").asDouble())
                .put("overheadSeconds", n.path("overheadSeconds").asDouble()));
        section.put("loadAverageAfter", LoadAverage.now());
    }

    /** One run's figures: totals, each tool invocation, and each phase's share. */
    static ObjectNode account(SmallMigration.Run r, List<ToolTime> tools) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        double toolSeconds = tools.stream().mapToDouble(ToolTime::seconds).sum();
        double waits = SmallMigration.HOLD.toMillis() / 1000.0;
        n.put("endToEndSeconds", Stats.round(r.seconds()));
        n.put("toolSeconds", Stats.round(toolSeconds));
        n.put("deliberateWaitSeconds", Stats.round(waits));
        n.put("overheadSeconds", Stats.round(r.seconds() - toolSeconds - waits));
        ArrayNode ts = n.putArray("tools");
        tools.forEach(t -> ts.addObject().put("tool", t.tool()).put("seconds", Stats.round(t.seconds())));
        ArrayNode phases = n.putArray("phases");
        double inSteps = 0;
        for (StepRecord s : r.result().status().steps()) {
            if (s.ended() == null) continue;
            double secs = seconds(s.started(), s.ended());
            inSteps += secs;
            double tool = tools.stream()
                    .filter(t -> within(t, s))
                    .mapToDouble(ToolTime::seconds)
                    .sum();
            double wait = s.phase() == Phase.CATCH_UP ? waits : 0;
            phases.addObject()
                    .put("phase", s.phase().name())
                    .put("seconds", Stats.round(secs))
                    .put("toolSeconds", Stats.round(tool))
                    .put("waitSeconds", Stats.round(wait))
                    .put("overheadSeconds", Stats.round(secs - tool - wait));
        }
        // Starting the workflow, the time from one step's end to the next one's start, and the result reaching the
        // client.
        n.put("outsideStepsSeconds", Stats.round(r.seconds() - inSteps));
        return n;
    }

    /** Whether a tool ran inside a step; the worker's clock and the workflow's are the same machine's. */
    private static boolean within(ToolTime t, StepRecord s) {
        return !t.started().isBefore(s.started().minusMillis(50))
                && !t.ended().isAfter(s.ended().plusMillis(50));
    }

    private static double seconds(Instant a, Instant b) {
        return (b.toEpochMilli() - a.toEpochMilli()) / 1000.0;
    }

    @Override
    public String markdown(JsonNode s) {
        StringBuilder md = new StringBuilder("## Orchestration overhead\n\n");
        md.append(String.format(
                "A PostgreSQL migration of %d rows end to end, %d runs (medians): **%.1f s** end to end,"
                        + " %.1f s inside the database tools, %.1f s of deliberate waits, **%.1f s of orchestration**.%n%n",
                s.path("rows").asLong(),
                s.path("runs").asInt(),
                s.path("endToEndSeconds").asDouble(),
                s.path("toolSeconds").asDouble(),
                s.path("deliberateWaitSeconds").asDouble(),
                s.path("overheadSeconds").asDouble()));
        JsonNode m = s.path("medianRun");
        md.append(
                "The run with the median overhead, by phase:\n\n| phase | seconds | tools | waits | overhead |\n|---|---|---|---|---|\n");
        for (JsonNode p : m.path("phases")) {
            md.append(String.format(
                    "| %s | %.2f | %.2f | %.2f | %.2f |%n",
                    p.path("phase").asText(),
                    p.path("seconds").asDouble(),
                    p.path("toolSeconds").asDouble(),
                    p.path("waitSeconds").asDouble(),
                    p.path("overheadSeconds").asDouble()));
        }
        md.append(String.format(
                "| (outside steps) | %.2f | | | %.2f |%n",
                m.path("outsideStepsSeconds").asDouble(),
                m.path("outsideStepsSeconds").asDouble()));
        List<String> tools = new ArrayList<>();
        m.path("tools")
                .forEach(t -> tools.add(String.format(
                        "%s %.2f s", t.path("tool").asText(), t.path("seconds").asDouble())));
        md.append("\nTools in that run: ").append(String.join(", ", tools)).append(".\n\n");
        md.append("""
        Definition: overhead = end-to-end wall time − time inside the database tools − deliberate waits.
        End to end is from the client starting the workflow to its result, with a real Temporal server
        (`temporal server start-dev`, SQLite), the worker in the bench's process, automatic cutover, the
        post-promotion backup on, no traffic switch. Tools: fio (the disk benchmark, 16 MB, at most 2 s),
        pg_basebackup (the copy, and the backup after promotion), each timed by the worker's own log of
        the remote command; pg_promote, timed by the target's server log from "received promote request"
        to "ready to accept connections". Deliberate waits: the catch-up hold (`catchUp.holdFor: 1s`).
        Everything else counts as overhead, including what an operator would otherwise do by hand
        (checks before and after each step, starting the standby and waiting for it to stream, writing
        the report) and polling granularity (`catchUp.pollEvery: 1s`).
        Load averages (1, 5, 15 min) before and after: %s and %s.
        """.formatted(
                s.path("loadAverageBefore").asText(), s.path("loadAverageAfter").asText()));
        return md.toString();
    }
}
