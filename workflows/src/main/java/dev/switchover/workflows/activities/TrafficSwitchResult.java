package dev.switchover.workflows.activities;

/** How clients were moved to the new primary. */
public record TrafficSwitchResult(String method, String detail) {}
