package dev.switchover.workflows.spec;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * What a webhook URL must be: absolute, http or https, with a host, and no credentials in it. The
 * spec's validator and the worker (for a URL read from a secret) ask the same question. Messages
 * never repeat the URL, which may be a secret.
 */
public final class WebhookUrls {
    private WebhookUrls() {}

    /** The parsed URL, or null when {@link #problemWith} finds something wrong with it. */
    public static URI parse(String url) {
        return problemWith(url) == null ? URI.create(url.strip()) : null;
    }

    /** What is wrong with {@code url} and how to fix it, or null if nothing is. */
    public static String problemWith(String url) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            return "is not a valid URL; write an absolute URL such as https://hooks.example.com/switchover";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "is not an http or https URL; write an absolute URL such as https://hooks.example.com/switchover";
        }
        if (uri.getHost() == null) {
            return "has no host name; write an absolute URL such as https://hooks.example.com/switchover";
        }
        if (uri.getRawUserInfo() != null) {
            return "holds a user name or password, which would be kept in the workflow history; put the whole URL"
                    + " in a secret and write env:VARIABLE or file:/path/to/secret, or give the credentials as"
                    + " notifications.webhook.authorization";
        }
        return null;
    }
}
