package dev.switchover.workflows;

import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One migration, for every engine. The operator talks to it by Updates, which answer at once
 * whether they were accepted (the CLI uses them), and by Signals of the same names, which the
 * Temporal Web UI can send; a signal that would have been rejected is recorded in the status
 * notes and ignored.
 */
@WorkflowInterface
public interface MigrationWorkflow {

    /**
     * Runs the migration {@code spec} describes. {@code continued} is null when it starts (the CLI,
     * a schedule, a fleet); a migration that waits long continues as new with what it carries.
     */
    @WorkflowMethod
    MigrationResult migrate(MigrationSpec spec, Continuation continued);

    /** Opens the cutover gate. Rejected unless the target is in sync and cutover is awaited. */
    @UpdateMethod(name = Names.APPROVE)
    String approveCutover(Approval approval);

    @UpdateValidatorMethod(updateName = Names.APPROVE)
    void validateApproveCutover(Approval approval);

    @SignalMethod(name = Names.APPROVE)
    void approveCutoverSignal(Approval approval);

    /** Stops the migration and undoes its changes to the source. Rejected from promotion on. */
    @UpdateMethod(name = Names.ABORT)
    String abort(AbortRequest request);

    @UpdateValidatorMethod(updateName = Names.ABORT)
    void validateAbort(AbortRequest request);

    @SignalMethod(name = Names.ABORT)
    void abortSignal(AbortRequest request);

    /**
     * While promotion is held because the source cannot be reached: promote the target without the
     * source's proof (it was fenced when last seen). Rejected at any other time.
     */
    @UpdateMethod(name = Names.PROMOTE_WITHOUT_SOURCE)
    String promoteWithoutSource(OperatorDecision decision);

    @UpdateValidatorMethod(updateName = Names.PROMOTE_WITHOUT_SOURCE)
    void validatePromoteWithoutSource(OperatorDecision decision);

    @SignalMethod(name = Names.PROMOTE_WITHOUT_SOURCE)
    void promoteWithoutSourceSignal(OperatorDecision decision);

    /** Holds the migration in catch-up or before cutover; the deadline does not run meanwhile. */
    @UpdateMethod(name = Names.PAUSE)
    String pause(String by);

    @UpdateValidatorMethod(updateName = Names.PAUSE)
    void validatePause(String by);

    @UpdateMethod(name = Names.RESUME)
    String resume(String by);

    @UpdateValidatorMethod(updateName = Names.RESUME)
    void validateResume(String by);

    @QueryMethod(name = Names.STATUS)
    MigrationStatus status();

    /** Handler names, shared by the CLI and the docs. */
    final class Names {
        public static final String APPROVE = "approveCutover";
        public static final String ABORT = "abort";
        public static final String PROMOTE_WITHOUT_SOURCE = "promoteWithoutSource";
        public static final String PAUSE = "pause";
        public static final String RESUME = "resume";
        /**
         * Sent by the base copy activity while it runs, so status and the UI show how far it is; the
         * workflow receives it without a named handler, so that operators are not offered it.
         */
        public static final String COPY_PROGRESS = "reportCopyProgress";

        public static final String STATUS = "status";

        private Names() {}
    }
}
