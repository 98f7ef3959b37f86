package dev.switchover.activities.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Notification;
import dev.switchover.workflows.activities.NotificationActivities;
import dev.switchover.workflows.spec.SecretRef;
import dev.switchover.workflows.spec.WebhookSpec;
import dev.switchover.workflows.spec.WebhookUrls;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs a migration's events to its webhook. A 2xx is delivery; a redirect or a 4xx other than 408
 * and 429 will not change on a retry (a wrong URL or token), so it is non-retryable; anything else (5xx, 408,
 * 429, no connection) is retried by the activity's policy. Messages name the receiver by the URL
 * as written in the spec, or, for a URL read from a secret, by its host only: its path may be the secret.
 */
public final class WebhookSender implements NotificationActivities {
    /** A receiver that takes longer to accept a TCP connection is down for our purposes; retry later. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Well inside the activity's 30 s start-to-close, so a hung receiver is a clean, retryable failure. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretResolver secrets;
    private final HttpClient http;

    public WebhookSender(SecretResolver secrets) {
        this.secrets = secrets;
        // HTTP/1.1: on http:// URLs the default would offer an h2c upgrade, which some receivers mishandle.
        // No redirects: a POST redirected elsewhere is a wrong URL to fix, not to follow.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** References resolved against the worker's own environment and files. */
    public static WebhookSender fromEnvironment() {
        return new WebhookSender(new SecretResolver());
    }

    @Override
    public void notifyWebhook(WebhookSpec webhook, Notification event) {
        Receiver to = receiver(webhook.url());
        HttpRequest.Builder request = HttpRequest.newBuilder(to.uri())
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "switchover")
                .header("X-Switchover-Event", event.workflowId() + "/" + event.sequence())
                .POST(HttpRequest.BodyPublishers.ofString(json(event)));
        if (webhook.authorization() != null) {
            request.header(
                    "Authorization",
                    secrets.resolve("notifications.webhook.authorization", webhook.authorization())
                            .reveal());
        }
        int status;
        try {
            status = http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            // The exception's text may hold the full URL; its type says enough.
            throw ApplicationFailure.newFailure(
                    "the webhook at " + to.shown() + " could not be reached ("
                            + e.getClass().getSimpleName() + "); retrying",
                    "WebhookUnreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApplicationFailure.newFailure(
                    "interrupted while posting to the webhook at " + to.shown(), "WebhookUnreachable");
        }
        if (status >= 200 && status < 300) return;
        String answered =
                "the webhook at " + to.shown() + " answered HTTP " + status + " to event #" + event.sequence();
        if (status >= 300 && status < 400) {
            throw Failures.fatal(
                    Failures.WEBHOOK_REJECTED,
                    answered + ", a redirect, which is not followed with an"
                            + " event in hand: write the URL it points to as notifications.webhook.url");
        }
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            throw Failures.fatal(
                    Failures.WEBHOOK_REJECTED,
                    answered + "; a retry would get the same answer: check"
                            + " notifications.webhook.url and authorization");
        }
        throw ApplicationFailure.newFailure(answered + "; retrying", "WebhookUnavailable");
    }

    /** Where to POST, and how a message may name it. */
    private record Receiver(URI uri, String shown) {}

    private Receiver receiver(String url) {
        if (!SecretRef.isReference(url)) {
            URI uri = WebhookUrls.parse(url);
            if (uri == null) {
                throw Failures.fatal(
                        Failures.INVALID_SPEC, "notifications.webhook.url " + WebhookUrls.problemWith(url));
            }
            return new Receiver(uri, uri.toString());
        }
        String secretUrl = secrets.resolve("notifications.webhook.url", url).reveal();
        URI uri = WebhookUrls.parse(secretUrl);
        if (uri == null) {
            throw Failures.fatal(
                    Failures.SECRET_UNAVAILABLE,
                    "notifications.webhook.url refers to " + url + ", whose value "
                            + WebhookUrls.problemWith(secretUrl));
        }
        return new Receiver(
                uri,
                uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + " (from "
                        + url + ")");
    }

    private static String json(Notification event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a notification is always serialisable", e);
        }
    }
}
