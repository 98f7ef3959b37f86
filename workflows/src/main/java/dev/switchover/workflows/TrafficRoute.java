package dev.switchover.workflows;

/**
 * How clients reach the new primary, as the spec's traffic switch does it: the runbook's traffic
 * steps, which the workflow calls without asking which switch it runs. {@link TrafficRoutes} has
 * one implementation per {@code traffic.type}. The steps run in workflow code: each route issues
 * exactly the activities, scopes and timers its recorded histories hold.
 */
interface TrafficRoute {
    /** Whether it holds the clients from the freeze until the target is primary; only then do the hold's steps run. */
    default boolean holdsClients() {
        return false;
    }

    /** In the freeze, before the source is made read-only: the clients held and their move begun. */
    default void holdClients() {}

    /** Before promotion, the end of what {@link #holdClients} began; its failure fails the caller's step. */
    default void awaitHold() {}

    /** The undo of {@link #holdClients} on a rollback: the clients let through on the source again. */
    default void releaseOnSource() {}

    /**
     * After promotion, the step that moves the clients to the target. Returns what went wrong, for
     * the operator, or null: the target is the primary whatever happens here, so a failure does not
     * undo anything.
     */
    String switchAfterPromotion();

    /** What the freeze's step record says first: who holds the clients, or nothing. */
    default String heldWhileFrozen() {
        return "";
    }

    /** The end of the operator's advice when the switch after promotion failed, after "by hand". */
    default String switchFailedAdvice() {
        return ".";
    }

    /** What a promotion that may not have completed adds to its message about the clients. */
    default String promotionIncompleteAdvice() {
        return "";
    }
}
