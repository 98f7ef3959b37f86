package dev.switchover.starter;

import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.status.CatchUpProgress;
import dev.switchover.workflows.status.MigrationStatus;
import java.time.Instant;
import java.util.List;

/**
 * A status query's answer for the CLI's screens: migration "orders" on PostgreSQL, waiting for
 * nothing, not paused, no steps or notes, everything else null, but for what a test sets.
 */
final class StatusFixture {
    private String source;
    private String target;
    private Phase phase;
    private String waitingFor = "";
    private LagSample lag;
    private CopyProgress copy;
    private Instant catchUpDeadline;
    private CatchUpProgress catchUp;

    StatusFixture phase(Phase phase) {
        this.phase = phase;
        return this;
    }

    StatusFixture hosts(String source, String target) {
        this.source = source;
        this.target = target;
        return this;
    }

    StatusFixture waitingFor(String waitingFor) {
        this.waitingFor = waitingFor;
        return this;
    }

    StatusFixture lag(LagSample lag) {
        this.lag = lag;
        return this;
    }

    StatusFixture copy(CopyProgress copy) {
        this.copy = copy;
        return this;
    }

    StatusFixture catchUpDeadline(Instant catchUpDeadline) {
        this.catchUpDeadline = catchUpDeadline;
        return this;
    }

    StatusFixture catchUp(CatchUpProgress catchUp) {
        this.catchUp = catchUp;
        return this;
    }

    MigrationStatus build() {
        return new MigrationStatus(
                "orders",
                "postgresql",
                source,
                target,
                phase,
                waitingFor,
                false,
                List.of(),
                lag,
                null,
                copy,
                null,
                null,
                catchUpDeadline,
                List.of(),
                null,
                catchUp);
    }
}
