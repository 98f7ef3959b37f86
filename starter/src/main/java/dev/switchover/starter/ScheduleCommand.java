package dev.switchover.starter;

import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.ScheduleHandle;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchover schedule ...}: migrations that Temporal starts at a set time. */
@Command(
        name = "schedule",
        description = {
            "Migrations that Temporal starts at a set time (Temporal Schedules; needs a Temporal server).",
            "A schedule starts its migration once by default: a database moves once."
        },
        subcommands = {
            ScheduleCreateCommand.class,
            ScheduleListCommand.class,
            ScheduleDescribeCommand.class,
            ScheduleCommand.Pause.class,
            ScheduleCommand.Unpause.class,
            ScheduleCommand.Trigger.class,
            ScheduleCommand.Delete.class
        })
final class ScheduleCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    /** {@code switchover schedule} alone: its usage, as a usage error. */
    @Override
    public Integer call() {
        command.commandLine().usage(command.commandLine().getErr());
        return ExitCodes.BAD_INPUT;
    }

    /** What pause, unpause, trigger and delete share: the schedule's id, where Temporal is. */
    abstract static class Verb implements Callable<Integer> {
        @Spec
        CommandSpec command;

        @Mixin
        ConnectionOptions connection;

        @Parameters(paramLabel = "ID", description = "Schedule id (`switchover schedule list` shows them).")
        String id;

        Integer run(String done, Consumer<ScheduleHandle> action) {
            PrintWriter out = command.commandLine().getOut();
            Schedules.on(connection, schedules -> {
                action.accept(Schedules.existing(schedules, id));
                return null;
            });
            out.println("Schedule " + id + " " + done + ".");
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "pause", description = "Stop the schedule from starting its migration until unpaused.")
    static final class Pause extends Verb {
        @Option(names = "--note", paramLabel = "TEXT", description = "Why, kept with the schedule.")
        String note = "paused with switchover schedule pause";

        @Override
        public Integer call() {
            return run("paused", h -> h.pause(note));
        }
    }

    @Command(name = "unpause", description = "Let the schedule start its migration at its next time again.")
    static final class Unpause extends Verb {
        @Option(names = "--note", paramLabel = "TEXT", description = "Why, kept with the schedule.")
        String note = "unpaused with switchover schedule unpause";

        @Override
        public Integer call() {
            return run("unpaused", h -> h.unpause(note));
        }
    }

    @Command(
            name = "trigger",
            description = {
                "Start the schedule's migration now, whatever its times.",
                "Skipped if its migration is still running."
            })
    static final class Trigger extends Verb {
        @Override
        public Integer call() {
            return run(
                    "triggered: `switchover schedule describe " + id + "` names the migration it started",
                    h -> h.trigger(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP));
        }
    }

    @Command(name = "delete", description = "Remove the schedule. A migration it already started goes on.")
    static final class Delete extends Verb {
        @Override
        public Integer call() {
            return run("deleted", ScheduleHandle::delete);
        }
    }
}
