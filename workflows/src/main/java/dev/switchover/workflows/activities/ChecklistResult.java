package dev.switchover.workflows.activities;

import java.util.List;

/** The runbook's final checklist on the new primary: time sync, firewall, memory tuning. */
public record ChecklistResult(List<Check> checks) {}
