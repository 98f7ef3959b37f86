package dev.switchover.starter;

import io.grpc.Status;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleHandle;
import java.util.function.Function;

/** What every {@code schedule} verb shares: the server's schedules, and their failures in words. */
final class Schedules {
    /** Memo keys: what a schedule starts and when, as the operator wrote it. */
    static final String MEMO_MIGRATION = "migration";

    static final String MEMO_RULE = "rule";

    static final String NEED_A_SERVER = "schedules need a Temporal server: Temporal keeps them and starts the"
            + " migrations, also while no switchover process runs. The embedded Temporal (`./switchover worker`"
            + " without TEMPORAL_ADDRESS, or `start` with none running) has no schedules; point --address or"
            + " TEMPORAL_ADDRESS at `temporal server start-dev` or your Temporal cluster.";

    private Schedules() {}

    /** Runs {@code call} against the server's schedules, translating what the operator can act on. */
    static <T> T on(ConnectionOptions connection, Function<ScheduleClient, T> call) {
        try (TemporalConnection temporal = TemporalConnection.open(connection)) {
            try {
                return call.apply(temporal.schedules());
            } catch (RuntimeException e) {
                if (FailureText.grpcCode(e, Status.Code.UNIMPLEMENTED)) {
                    throw CliFailure.failed("the Temporal at " + temporal.where() + " has no schedules ("
                            + FailureText.grpcReason(e) + "); " + NEED_A_SERVER);
                }
                throw e;
            }
        }
    }

    /** The schedule {@code id}, which must exist: a typo is bad input, exit 2. */
    static ScheduleHandle existing(ScheduleClient schedules, String id) {
        ScheduleHandle h = schedules.getHandle(id);
        try {
            h.describe();
        } catch (RuntimeException e) {
            if (FailureText.grpcCode(e, Status.Code.NOT_FOUND)) {
                throw CliFailure.badInput("no schedule '" + id + "'; `switchover schedule list` shows them");
            }
            throw e;
        }
        return h;
    }

    /** The workflow a past action started, or what else it was. */
    static String workflowOf(ScheduleActionResult action) {
        return action.getAction() instanceof ScheduleActionExecutionStartWorkflow w ? w.getWorkflowId() : "?";
    }
}
