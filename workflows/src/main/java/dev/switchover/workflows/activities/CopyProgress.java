package dev.switchover.workflows.activities;

/**
 * Base copy progress as the copy tool reports it; also the activity's heartbeat details.
 *
 * @param totalBytes 0 while the tool has not yet estimated the size
 */
public record CopyProgress(long doneBytes, long totalBytes, String stage) {

    public double percent() {
        return totalBytes <= 0 ? 0.0 : Math.min(100.0, 100.0 * doneBytes / totalBytes);
    }
}
