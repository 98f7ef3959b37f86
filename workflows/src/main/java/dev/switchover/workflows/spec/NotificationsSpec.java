package dev.switchover.workflows.spec;

/**
 * Who hears of the migration's progress while it runs: for now a webhook, told of every phase
 * change, of an approval being awaited and of a failure. Delivery never holds the migration up.
 */
public record NotificationsSpec(WebhookSpec webhook) {}
