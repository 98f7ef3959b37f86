package dev.switchover.workflows.status;

import dev.switchover.workflows.Approval;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.LagSample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the {@code status} query answers: the phase, every step so far, replication lag, copy
 * progress and what the workflow is waiting for. The CLI's table, its JSON and the report are all
 * made from this.
 *
 * @param inSyncFor how long lag has stayed under the thresholds; null when it is not in sync
 * @param catchUpDeadline when catch-up gives up (moves later while paused)
 * @param catchUp the lag's rate, trend and time to sync while catching up or at the gate; null
 *     before there is a judgement (the first 20 s of streaming) and in other phases
 * @param notes operator-facing events worth keeping: rejected or expired approvals, sampling
 *     errors, rollbacks
 */
public record MigrationStatus(
        String migration,
        String engine,
        String source,
        String target,
        Phase phase,
        String waitingFor,
        boolean paused,
        List<StepRecord> steps,
        LagSample lag,
        Duration inSyncFor,
        CopyProgress copy,
        Approval approval,
        Instant approvedAt,
        Instant catchUpDeadline,
        List<String> notes,
        String failure,
        CatchUpProgress catchUp) {}
