package dev.switchover.workflows.fleet;

/** One wave as the fleet runs it: where it stands, and the approval it was given if any. */
final class WaveRun {
    final String name;
    WaveState state = WaveState.PENDING;
    WaveApproval approval;

    WaveRun(String name) {
        this.name = name;
    }
}
