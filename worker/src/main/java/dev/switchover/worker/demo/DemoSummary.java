package dev.switchover.worker.demo;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the demo proves, as its last line prints it (JSON): rows and checksums match, no
 * acknowledged write lost, the writer's longest pause, the new primary, the old one read-only.
 */
public record DemoSummary(
        long rowsOnSource,
        long rowsOnTarget,
        boolean checksumsMatch,
        long acknowledgedWrites,
        long lostWrites,
        long unexpectedWrites,
        long failedButPresentWrites,
        long unknownWrites,
        double downtimeSeconds,
        String targetPrimary,
        boolean sourceRefusesWrites,
        boolean migrationDone,
        long migrationSeconds,
        String report,
        long nextIdOnNewPrimary) {

    public boolean ok() {
        return migrationDone
                && checksumsMatch
                && rowsOnSource == rowsOnTarget
                && lostWrites == 0
                && unexpectedWrites == 0
                && failedButPresentWrites == 0
                && targetPrimary != null
                && sourceRefusesWrites
                && (nextIdOnNewPrimary < 0 || nextIdOnNewPrimary > rowsOnSource);
    }

    public String json() {
        try {
            return new ObjectMapper().writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
