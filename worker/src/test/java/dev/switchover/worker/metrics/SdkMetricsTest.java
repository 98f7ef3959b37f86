package dev.switchover.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The worker's wiring on an in-process Temporal: the SDK's own metrics reach /metrics through the
 * stubs' scope, and the phase gauge follows the activity type the worker executes.
 */
class SdkMetricsTest {
    private static final String QUEUE = "metrics-test";

    @ActivityInterface
    public interface Probe {
        long measureLag(MigrationSpec spec);
    }

    @WorkflowInterface
    public interface OneStep {
        @WorkflowMethod
        long run(MigrationSpec spec);
    }

    public static class OneStepImpl implements OneStep {
        private final Probe probe = Workflow.newActivityStub(
                Probe.class,
                ActivityOptions.newBuilder()
                        .setStartToCloseTimeout(Duration.ofSeconds(10))
                        .build());

        @Override
        public long run(MigrationSpec spec) {
            return probe.measureLag(spec);
        }
    }

    @Test
    void sdkMetricsAndPhaseAreScrapedAfterAWorkflowRan() throws Exception {
        MigrationSpec spec = SpecLoader.load(Path.of("..", "examples", "postgresql.yaml"));
        try (WorkerMetrics metrics = new WorkerMetrics();
                TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
                        .setMetricsScope(metrics.sdkScope())
                        .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
                                .setWorkerInterceptors(metrics.phaseInterceptor())
                                .build())
                        .build())) {
            MetricsServer server = metrics.serve(0);
            Worker worker = env.newWorker(QUEUE);
            worker.registerWorkflowImplementationTypes(OneStepImpl.class);
            worker.registerActivitiesImplementations((Probe) s -> 42L);
            env.start();

            long result = env.getWorkflowClient()
                    .newWorkflowStub(
                            OneStep.class,
                            WorkflowOptions.newBuilder().setTaskQueue(QUEUE).build())
                    .run(spec);
            assertEquals(42L, result);

            // The SDK hands its counters to the registry on the scope's reporting interval.
            String text = "";
            Instant deadline = Instant.now().plusSeconds(15);
            while (Instant.now().isBefore(deadline)) {
                text = WorkerMetricsTest.scrape(server);
                if (text.contains("temporal_workflow_completed_total")) break;
                Thread.sleep(200);
            }
            assertTrue(text.contains("temporal_workflow_completed_total"), "no SDK metric in:\n" + text);
            assertEquals(
                    1.0,
                    WorkerMetricsTest.value(
                            text, "switchover_phase", "migration=\"" + spec.name() + "\"", "phase=\"CATCH_UP\""));
        }
    }
}
