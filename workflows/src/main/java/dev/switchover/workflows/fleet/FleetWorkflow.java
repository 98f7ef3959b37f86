package dev.switchover.workflows.fleet;

import dev.switchover.workflows.AbortRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Many migrations in waves, each a child {@code MigrationWorkflow} with its own id
 * (switchover-NAME), so every per-database command still works on it. Like a migration, the
 * operator talks to it by Updates (the CLI) and Signals of the same names (the Web UI).
 */
@WorkflowInterface
public interface FleetWorkflow {

    @WorkflowMethod
    FleetResult migrateFleet(FleetSpec spec);

    /** Opens the cutover gate of every migration of the wave as each reaches it (approval: wave). */
    @UpdateMethod(name = Names.APPROVE_WAVE)
    String approveWave(WaveApproval approval);

    @UpdateValidatorMethod(updateName = Names.APPROVE_WAVE)
    void validateApproveWave(WaveApproval approval);

    @SignalMethod(name = Names.APPROVE_WAVE)
    void approveWaveSignal(WaveApproval approval);

    /** Starts no further migration and asks the running ones to abort (refused past promotion). */
    @UpdateMethod(name = Names.ABORT)
    String abort(AbortRequest request);

    @UpdateValidatorMethod(updateName = Names.ABORT)
    void validateAbort(AbortRequest request);

    @SignalMethod(name = Names.ABORT)
    void abortSignal(AbortRequest request);

    /** Sent by the fleet's migrations when their phase changes. */
    @SignalMethod(name = Names.PROGRESS)
    void migrationProgress(MigrationProgress progress);

    @QueryMethod(name = Names.STATUS)
    FleetStatus status();

    final class Names {
        public static final String APPROVE_WAVE = "approveWave";
        public static final String ABORT = "abort";
        public static final String PROGRESS = "migrationProgress";
        public static final String STATUS = "status";

        private Names() {}
    }
}
