package dev.switchover.workflows;

/** Names the worker and the CLI must agree on. */
public final class SwitchoverQueues {
    /** The task queue the worker polls, for workflows and activities alike. */
    public static final String TASK_QUEUE = "switchover";

    public static final String DEFAULT_NAMESPACE = "default";

    private SwitchoverQueues() {}
}
