package dev.switchover.starter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Continuation;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.status.StepRecord;
import dev.switchover.workflows.status.StepRecord.Outcome;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Status without a worker reads the history of the current run, which may be a continued one. */
class RecordedProgressTest {

    @Test
    void aContinuedRunIsReadWithTheStepsItCarries(@TempDir Path dir) throws Exception {
        MigrationSpec spec = SpecLoader.load(Cli.spec(dir, "weekend", "manual"));
        Instant t = Instant.parse("2026-12-05T13:21:30Z");
        List<StepRecord> steps = List.of(
                new StepRecord(Phase.PREFLIGHT, t, t.plusSeconds(5), Outcome.OK, "ok"),
                new StepRecord(Phase.BENCHMARK, t.plusSeconds(5), t.plusSeconds(40), Outcome.OK, "ok"),
                new StepRecord(Phase.PREPARE_SOURCE, t.plusSeconds(40), t.plusSeconds(45), Outcome.OK, "ok"),
                new StepRecord(Phase.BASE_COPY, t.plusSeconds(45), t.plusSeconds(900), Outcome.OK, "pg_basebackup"),
                new StepRecord(Phase.CATCH_UP, t.plusSeconds(900), t.plusSeconds(960), Outcome.OK, "in sync"),
                new StepRecord(Phase.AWAIT_CUTOVER, t.plusSeconds(960), null, Outcome.RUNNING, ""));
        Continuation carried = new Continuation(
                2,
                Phase.AWAIT_CUTOVER,
                null,
                null,
                null,
                null,
                true,
                steps,
                List.of(),
                null,
                null,
                List.of(),
                null,
                null,
                false,
                null,
                null,
                null,
                true,
                false,
                0,
                null,
                null,
                0);
        HistoryEvent started = HistoryEvent.newBuilder()
                .setEventId(1)
                .setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
                .setWorkflowExecutionStartedEventAttributes(WorkflowExecutionStartedEventAttributes.newBuilder()
                        .setInput(DefaultDataConverter.STANDARD_INSTANCE
                                .toPayloads(spec, carried)
                                .orElseThrow()))
                .build();

        List<String> lines = RecordedProgress.of(List.of(started), DefaultDataConverter.STANDARD_INSTANCE)
                .lines();

        String text = String.join("\n", lines);
        assertTrue(text.contains("BaseCopy completed at"), text);
        assertTrue(
                text.contains("the target " + LabHost.DST.address() + " is a copy streaming from the source "
                        + LabHost.SRC.address()),
                text);
    }
}
