package dev.switchover.workflows.fleet;

import dev.switchover.workflows.Phase;

/**
 * What a fleet's migration tells the fleet when its phase changes. The fleet cannot query its
 * children from workflow code, so they report; {@code sequence} orders reports that arrive out of
 * order.
 */
public record MigrationProgress(String migration, long sequence, Phase phase, String waitingFor) {}
