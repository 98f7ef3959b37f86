package dev.switchover.workflows;

/** {@code traffic.type: command}: the operator's command moves the clients once the target is primary. */
record CommandRoute(TrafficCutover cutover) implements TrafficRoute {
    @Override
    public String switchAfterPromotion() {
        return cutover.switchStep(() -> cutover.activities().switchTraffic(cutover.spec()), this::switchFailedAdvice);
    }
}
