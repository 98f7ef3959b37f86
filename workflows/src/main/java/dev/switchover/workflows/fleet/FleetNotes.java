package dev.switchover.workflows.fleet;

import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What the fleet did and why, one line each stamped with the workflow's time, as its status shows. */
final class FleetNotes {
    private final List<String> lines = new ArrayList<>();

    void add(String text) {
        lines.add(now() + " " + text);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Workflow time: the same on every replay. */
    static Instant now() {
        return Instant.ofEpochMilli(Workflow.currentTimeMillis());
    }
}
