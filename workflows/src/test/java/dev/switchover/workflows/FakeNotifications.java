package dev.switchover.workflows;

import dev.switchover.workflows.activities.Notification;
import dev.switchover.workflows.activities.NotificationActivities;
import dev.switchover.workflows.spec.WebhookSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A webhook for workflow tests: records every attempt; {@link #answer} decides how each one ends. */
public class FakeNotifications implements NotificationActivities {
    /** Every attempt, a retry's included, in the order they reached the "receiver". */
    public final List<Notification> attempts = new CopyOnWriteArrayList<>();

    public volatile Runnable answer = () -> {};

    @Override
    public void notifyWebhook(WebhookSpec webhook, Notification event) {
        attempts.add(event);
        answer.run();
    }
}
