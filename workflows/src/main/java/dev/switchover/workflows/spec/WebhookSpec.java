package dev.switchover.workflows.spec;

/**
 * Where the migration's events are POSTed as JSON. {@code url} is an absolute http(s) URL, or a
 * reference ({@code env:NAME}, {@code file:/path}) when the URL is itself a secret, as a Slack-style
 * hook's is; {@code authorization}, if set, is a reference whose value the worker sends as the
 * Authorization header. Both references are resolved by the worker, so no secret enters the history.
 */
public record WebhookSpec(String url, String authorization) {}
