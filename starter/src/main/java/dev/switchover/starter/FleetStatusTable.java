package dev.switchover.starter;

import dev.switchover.workflows.fleet.FleetStatus;
import dev.switchover.workflows.fleet.MemberState;
import java.util.ArrayList;
import java.util.List;

/** A fleet's status for a terminal: the waves, then one row per migration. */
final class FleetStatusTable {
    private FleetStatusTable() {}

    static String render(String id, FleetStatus s) {
        StringBuilder b = new StringBuilder();
        long done = s.migrations().stream()
                .filter(m -> m.state() == MemberState.DONE)
                .count();
        b.append(String.format("%-13s%s%n", "Fleet", id + " (" + s.fleet() + ")"));
        b.append(String.format(
                "%-13s%s%n",
                "State", s.state() + ", " + done + " of " + s.migrations().size() + " migrated"));
        b.append(String.format(
                "%-13s%s%n",
                "Rules",
                "concurrency " + s.concurrency() + ", approval per "
                        + s.approval().id() + ", on failure " + s.onFailure().id()));
        for (FleetStatus.Wave w : s.waves()) {
            b.append(String.format(
                    "%-13s%s%n",
                    "Wave",
                    w.name() + ": " + w.state()
                            + (w.approvedBy() == null ? "" : " (approved by " + w.approvedBy() + ")")));
        }
        List<List<String>> rows = new ArrayList<>();
        for (FleetStatus.Member m : s.migrations()) {
            rows.add(List.of(
                    m.migration(),
                    m.wave(),
                    m.state().name(),
                    m.phase() == null ? "" : m.phase().name(),
                    m.startedAt() == null ? "" : Human.clock(m.startedAt()),
                    m.endedAt() == null ? "" : Human.clock(m.endedAt()),
                    Human.nullToEmpty(m.detail())));
        }
        b.append('\n')
                .append(Human.table(
                        List.of("MIGRATION", "WAVE", "STATE", "PHASE", "STARTED", "ENDED", "DETAIL"), rows));
        if (s.approval() != null
                && s.migrations().stream()
                        .anyMatch(m -> m.state() == MemberState.RUNNING
                                && m.phase() == dev.switchover.workflows.Phase.AWAIT_CUTOVER)) {
            b.append('\n')
                    .append(
                            switch (s.approval()) {
                                case WAVE ->
                                    "Waiting for the wave's approval: ./switchover fleet approve " + id
                                            + " --wave NAME\n";
                                case DATABASE ->
                                    "Waiting for approval: ./switchover approve NAME for each migration in AWAIT_CUTOVER\n";
                            });
        }
        return b.toString();
    }
}
