package dev.switchover.starter;

import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "create",
        description = {
            "Validate SPEC and have Temporal start its migration at --at TIME or on --cron times.",
            "Prints the schedule id on the first line of stdout."
        })
final class ScheduleCreateCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "SPEC", description = "The migration spec (YAML).")
    Path specFile;

    @ArgGroup(multiplicity = "1")
    When when;

    static final class When {
        @Option(
                names = "--at",
                paramLabel = "TIME",
                description = {
                    "Once, at this local time in --time-zone,"
                            + " e.g. 2026-11-28T02:00; or an instant, e.g. 2026-11-28T01:00:00Z."
                })
        String at;

        @Option(
                names = "--cron",
                paramLabel = "EXPR",
                description = {
                    "At these times in --time-zone, in cron's five" + " fields, e.g. '0 2 * * SAT' (Saturdays 02:00)."
                })
        String cron;
    }

    @Option(
            names = "--time-zone",
            defaultValue = "UTC",
            paramLabel = "ZONE",
            description = "IANA time zone of --at and --cron, e.g. Europe/Oslo (default ${DEFAULT-VALUE}).")
    String timeZone;

    @Option(names = "--id", paramLabel = "ID", description = "Schedule id (default: switchover-NAME, from the spec).")
    String id;

    @Option(
            names = "--runs",
            defaultValue = "1",
            paramLabel = "N",
            description = "How many migrations it may start (default ${DEFAULT-VALUE}: a database moves once).")
    long runs;

    @Option(
            names = "--catchup-window",
            defaultValue = "10m",
            paramLabel = "DURATION",
            description = {
                "If Temporal was down at the time, start it late only within this long (default ${DEFAULT-VALUE}):",
                "a migration hours late may fall outside the time the business agreed to."
            })
    Duration catchupWindow;

    @Option(names = "--paused", description = "Create it paused: nothing starts until `switchover schedule unpause`.")
    boolean paused;

    @Option(names = "--note", paramLabel = "TEXT", description = "Kept with the schedule, e.g. the change ticket.")
    String note;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        // Before any connection: a bad spec or time must not reach Temporal.
        MigrationSpec spec = SpecFiles.load(specFile);
        ZoneId zone = zone(timeZone);
        if (runs < 1) throw CliFailure.badInput("--runs must be at least 1");
        if (catchupWindow.compareTo(Duration.ofMinutes(1)) < 0) {
            throw CliFailure.badInput("--catchup-window must be at least 1m (Temporal's shortest)");
        }
        String scheduleId = id != null ? id : spec.workflowId();
        ScheduleSpec times;
        String rule;
        if (when.at != null) {
            ZonedDateTime at = at(when.at, zone);
            if (!at.toInstant().isAfter(Instant.now())) {
                throw CliFailure.badInput("--at " + when.at + " is in the past (" + at + "); give a time to come");
            }
            times = ScheduleSpec.newBuilder()
                    .setCalendars(List.of(once(at)))
                    .setTimeZoneName(zone.getId())
                    .build();
            rule = "once at " + at.toLocalDateTime() + " " + zone.getId();
        } else {
            times = ScheduleSpec.newBuilder()
                    .setCronExpressions(List.of(when.cron.strip()))
                    .setTimeZoneName(zone.getId())
                    .build();
            rule = "cron '" + when.cron.strip() + "' " + zone.getId();
        }
        Schedule schedule = Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(MigrationWorkflow.class)
                        .setArguments(spec)
                        // Temporal appends the time it starts each run to this id.
                        .setOptions(WorkflowOptions.newBuilder()
                                .setWorkflowId(spec.workflowId())
                                .setTaskQueue(connection.taskQueue)
                                .build())
                        .build())
                .setSpec(times)
                // Never two migrations of one database at once; a late one only within the window.
                .setPolicy(SchedulePolicy.newBuilder()
                        .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                        .setCatchupWindow(catchupWindow)
                        .build())
                .setState(ScheduleState.newBuilder()
                        .setPaused(paused)
                        .setNote(note == null ? "" : note)
                        .setLimitedAction(true)
                        .setRemainingActions(runs)
                        .build())
                .build();
        String migration = spec.name() + " (" + spec.engine().id() + " "
                + spec.source().address() + " → " + spec.target().address() + ")";
        ScheduleOptions options = ScheduleOptions.newBuilder()
                .setMemo(Map.of(Schedules.MEMO_MIGRATION, migration, Schedules.MEMO_RULE, rule))
                .build();
        List<Instant> next = Schedules.on(connection, schedules -> {
            try {
                return schedules
                        .createSchedule(scheduleId, schedule, options)
                        .describe()
                        .getInfo()
                        .getNextActionTimes();
            } catch (ScheduleAlreadyRunningException e) {
                throw CliFailure.failed("a schedule '" + scheduleId + "' exists already; `switchover schedule describe "
                        + scheduleId + "` shows it. Delete it first, or give this one another --id.");
            }
        });
        out.println(scheduleId);
        out.flush();
        err.println("Scheduled migration " + migration + ": " + rule + (paused ? ", paused" : "") + "; "
                + (next.isEmpty()
                        ? "no time to come matches"
                        : "next at " + Human.dateTime(next.get(0)) + " " + Human.zone())
                + ". It starts as " + spec.workflowId() + "-<time> on task queue " + connection.taskQueue
                + "; `switchover schedule describe " + scheduleId + "` names it.");
        err.flush();
        return ExitCodes.OK;
    }

    private static ZoneId zone(String name) {
        try {
            return ZoneId.of(name.strip());
        } catch (DateTimeException e) {
            throw CliFailure.badInput(
                    "--time-zone '" + name + "' is not a time zone; give an IANA name such as" + " Europe/Oslo or UTC");
        }
    }

    /** A local date-time in {@code zone}, or an instant with its offset. */
    static ZonedDateTime at(String text, ZoneId zone) {
        String t = text.strip();
        try {
            return LocalDateTime.parse(t).atZone(zone);
        } catch (DateTimeParseException local) {
            try {
                return ZonedDateTime.parse(t).withZoneSameInstant(zone);
            } catch (DateTimeParseException zoned) {
                throw CliFailure.badInput(
                        "--at '" + text + "' is not a time; write it as 2026-11-28T02:00 (in --time-zone)"
                                + " or 2026-11-28T01:00:00Z");
            }
        }
    }

    /** The calendar entry matching exactly {@code at}, to the second, in its zone. */
    private static ScheduleCalendarSpec once(ZonedDateTime at) {
        return ScheduleCalendarSpec.newBuilder()
                .setSeconds(List.of(new ScheduleRange(at.getSecond())))
                .setMinutes(List.of(new ScheduleRange(at.getMinute())))
                .setHour(List.of(new ScheduleRange(at.getHour())))
                .setDayOfMonth(List.of(new ScheduleRange(at.getDayOfMonth())))
                .setMonth(List.of(new ScheduleRange(at.getMonthValue())))
                .setYear(List.of(new ScheduleRange(at.getYear())))
                .setDayOfWeek(List.of(new ScheduleRange(0, 6)))
                .build();
    }
}
