package dev.switchover.activities.traffic;

/** {@code traffic.type: none}: the operator points the clients; no step of the worker's moves them. */
public final class NoTrafficSwitch implements TrafficSwitcher {}
