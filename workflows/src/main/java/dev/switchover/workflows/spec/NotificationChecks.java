package dev.switchover.workflows.spec;

import static dev.switchover.workflows.spec.FieldChecks.isBlank;

/** notifications: the webhook that receives the events, its URL and its authorization. */
record NotificationChecks(FieldChecks check) {
    /** Never repeats the URL: a Slack-style hook's URL is a secret in itself. */
    void webhook(NotificationsSpec n) {
        if (n == null) return;
        WebhookSpec w = n.webhook();
        if (w == null) {
            check.add("notifications.webhook", "is required under notifications; give its url indented below webhook:");
            return;
        }
        String url = w.url();
        if (isBlank(url)) {
            check.add(
                    "notifications.webhook.url",
                    "is required; write the http(s) URL that receives the events, or"
                            + " env:VARIABLE or file:/path/to/secret if the URL itself is a secret");
        } else if (url.startsWith("env:") || url.startsWith("file:")) {
            String problem = SecretRef.problemWith(url);
            if (problem != null) check.add("notifications.webhook.url", problem);
        } else {
            String problem = WebhookUrls.problemWith(url);
            if (problem != null) check.add("notifications.webhook.url", problem);
        }
        if (w.authorization() != null) check.secret("notifications.webhook.authorization", w.authorization());
    }
}
