package dev.switchover.starter;

import io.temporal.client.schedules.ScheduleListDescription;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "list", description = "The schedules in the namespace: when each starts its migration next.")
final class ScheduleListCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        List<List<String>> rows = Schedules.on(
                connection,
                schedules ->
                        schedules.listSchedules().map(ScheduleListCommand::row).toList());
        if (rows.isEmpty()) {
            out.println("No schedules in namespace '" + connection.namespace + "'.");
        } else {
            out.println("Times in " + Human.zone() + ".");
            out.print(Human.table(List.of("ID", "MIGRATION", "WHEN", "NEXT", "STATE"), rows));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static List<String> row(ScheduleListDescription d) {
        List<Instant> next = d.getInfo().getNextActionTimes();
        return List.of(
                d.getScheduleId(),
                memo(d, Schedules.MEMO_MIGRATION),
                memo(d, Schedules.MEMO_RULE),
                next.isEmpty() ? "-" : Human.dateTime(next.get(0)),
                d.getSchedule().getState().isPaused() ? "paused" : "active");
    }

    private static String memo(ScheduleListDescription d, String key) {
        Object v = d.getMemo(key, String.class);
        return v == null ? "?" : v.toString();
    }
}
