package dev.switchover.workflows.fleet;

import dev.switchover.workflows.Phase;
import java.time.Instant;
import java.util.List;

/**
 * What the fleet's {@code status} query answers: each wave and each migration with its phase as
 * its workflow last reported it. A migration's own detail is its own status query
 * ({@code switchover status NAME}).
 *
 * @param state STARTING until the workflow has read its spec, then RUNNING, DONE, FAILED or ABORTED
 */
public record FleetStatus(
        String fleet,
        FleetState state,
        int concurrency,
        FleetApproval approval,
        FailurePolicy onFailure,
        List<Wave> waves,
        List<Member> migrations,
        List<String> notes) {

    public record Wave(String name, WaveState state, String approvedBy) {}

    /** @param detail why it failed or was skipped; what it waits for while running */
    public record Member(
            String migration,
            String workflowId,
            String wave,
            MemberState state,
            Phase phase,
            String detail,
            Instant startedAt,
            Instant endedAt) {}
}
