package dev.switchover.workflows.activities;

import java.util.List;

/**
 * What prepare-source changed, so that an abort undoes exactly that and nothing the operator had
 * before. A second run finds the work done and reports {@code false} for each item it did not
 * change itself; the workflow keeps the first run's record.
 */
public record SourcePreparation(
        boolean createdRole,
        boolean addedHbaLine,
        boolean createdSlot,
        List<SettingChange> changedSettings,
        List<String> notes,
        String summary) {

    /**
     * A preparation the engine's rules put in words ({@code EngineRules#preparationSummary}); one
     * whose method has other objects (a logical migration's publications, no slot) says its own
     * {@code summary}.
     */
    public SourcePreparation(
            boolean createdRole,
            boolean addedHbaLine,
            boolean createdSlot,
            List<SettingChange> changedSettings,
            List<String> notes) {
        this(createdRole, addedHbaLine, createdSlot, changedSettings, notes, null);
    }
}
