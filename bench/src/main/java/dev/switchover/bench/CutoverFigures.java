package dev.switchover.bench;

import java.util.Map;

/**
 * One cutover run as the application saw it.
 *
 * @param gapSeconds the longest time between two consecutive acknowledged commits around the
 *     cutover (see {@link CutoverRun#WINDOW_AFTER}); null when the migration never froze writes
 * @param wholeRunGapSeconds the same over the whole run, for comparison
 * @param lost acknowledged ids missing on the new primary; null when there is none
 * @param stepSeconds each cutover step's duration by its phase name, as the workflow recorded it
 * @param failure why the migration did not end DONE; null when it did
 * @param writerSeconds how long the writer ran: the whole migration and a few seconds after
 * @param commitsPerSecond acknowledged commits per second of the writer's run: the load it put on
 *     the cutover, which the writer's pause bounds from above and the round trip from below
 */
record CutoverFigures(
        int run,
        boolean done,
        String failure,
        Double gapSeconds,
        double wholeRunGapSeconds,
        long acknowledged,
        Long lost,
        Long unexpected,
        Long failedButPresent,
        long failed,
        long unknown,
        int writerLogins,
        Map<String, Double> stepSeconds,
        double writerSeconds,
        double commitsPerSecond) {}
