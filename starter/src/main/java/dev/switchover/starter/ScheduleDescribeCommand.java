package dev.switchover.starter;

import io.temporal.client.schedules.ScheduleActionExecution;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "describe", description = "A schedule: what it migrates, when, and the migrations it started.")
final class ScheduleDescribeCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "ID", description = "Schedule id (`switchover schedule list` shows them).")
    String id;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        ScheduleDescription d = Schedules.on(
                connection, schedules -> Schedules.existing(schedules, id).describe());
        ScheduleState state = d.getSchedule().getState();
        out.println("Schedule:  " + d.getId());
        out.println("Migration: " + memo(d, Schedules.MEMO_MIGRATION));
        out.println("When:      " + memo(d, Schedules.MEMO_RULE));
        out.println("State:     " + (state.isPaused() ? "paused" : "active")
                + (state.getNote() == null || state.getNote().isEmpty() ? "" : " (" + state.getNote() + ")"));
        out.println(
                "Runs left: " + (state.isLimitedAction() ? String.valueOf(state.getRemainingActions()) : "unlimited"));
        List<Instant> next = d.getInfo().getNextActionTimes();
        out.println("Next:      " + (next.isEmpty() ? "none" : Human.dateTime(next.get(0)) + " " + Human.zone()));
        for (ScheduleActionExecution running : d.getInfo().getRunningActions()) {
            if (running instanceof ScheduleActionExecutionStartWorkflow w) {
                out.println("Running:   " + w.getWorkflowId() + "  (`switchover status " + w.getWorkflowId() + "`)");
            }
        }
        for (ScheduleActionResult past : d.getInfo().getRecentActions()) {
            out.println("Started:   " + Schedules.workflowOf(past) + " at " + Human.dateTime(past.getStartedAt()) + " "
                    + Human.zone());
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String memo(ScheduleDescription d, String key) {
        Object v = d.getMemo(key, String.class);
        return v == null ? "?" : v.toString();
    }
}
