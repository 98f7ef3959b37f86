package dev.switchover.workflows.status;

import dev.switchover.workflows.Phase;
import java.time.Instant;

/** One step of the migration as it ran: when, how it ended, and a line saying what happened. */
public record StepRecord(Phase phase, Instant started, Instant ended, Outcome outcome, String detail) {

    public enum Outcome {
        RUNNING,
        OK,
        FAILED,
        CANCELLED,
        UNDONE
    }

    public StepRecord end(Instant at, Outcome how, String why) {
        return new StepRecord(phase, started, at, how, why);
    }
}
