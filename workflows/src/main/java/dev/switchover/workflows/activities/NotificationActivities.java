package dev.switchover.workflows.activities;

import dev.switchover.workflows.spec.WebhookSpec;
import io.temporal.activity.ActivityInterface;

/**
 * Telling the outside world how the migration goes. Apart from {@link MigrationActivities}: its
 * failures are noted, never fatal, and its options are its own ({@code ActivityProfiles.NOTIFY}).
 */
@ActivityInterface
public interface NotificationActivities {

    /**
     * POSTs {@code event} as JSON to the webhook, resolving its URL and Authorization references on the
     * worker. Done on any 2xx. Sent again on a retry, with the same {@code X-Switchover-Event} header
     * ({@code workflowId/sequence}) so the receiver can drop the duplicate: that is its idempotency.
     */
    void notifyWebhook(WebhookSpec webhook, Notification event);
}
