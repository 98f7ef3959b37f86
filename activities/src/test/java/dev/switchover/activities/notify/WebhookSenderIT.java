package dev.switchover.activities.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.Notification;
import dev.switchover.workflows.spec.WebhookSpec;
import io.temporal.failure.ApplicationFailure;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The webhook sender against a real HTTP server on the lab bridge ({@link LabHost#WORKER_ADDRESS},
 * which exists while a lab host does: whrs is brought up for it; the worker's webhook test has whks).
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:whrs")
class WebhookSenderIT {
    private static final String BRIDGE = LabHost.WORKER_ADDRESS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Notification EVENT = new Notification(
            3,
            Notification.PHASE_CHANGED,
            "orders",
            "switchover-orders",
            Phase.BASE_COPY,
            Phase.PREPARE_SOURCE,
            "2026-11-27T07:00:00Z",
            Phase.BASE_COPY.description(),
            LabHost.SRC.address(),
            LabHost.DST.address());

    /** What the server received. */
    record Received(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
        }
    }

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int answer = 204;

    @BeforeAll
    static void bridge() {
        LabHost.WHRS.up();
    }

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(BRIDGE, 0), 0);
        server.createContext("/", exchange -> {
            received.add(new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().toString(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://" + BRIDGE + ":" + server.getAddress().getPort() + path;
    }

    private static WebhookSender sender(Map<String, String> environment) {
        return new WebhookSender(new SecretResolver(environment));
    }

    @Test
    void postsTheEventAsJsonWithItsIdempotencyKeyAndTheAuthorizationFromTheEnvironment() throws Exception {
        sender(Map.of("HOOK_AUTH", "Bearer t0ken-123"))
                .notifyWebhook(new WebhookSpec(url("/hooks/switchover"), "env:HOOK_AUTH"), EVENT);

        assertEquals(1, received.size());
        Received r = received.get(0);
        assertEquals("POST", r.method());
        assertEquals("/hooks/switchover", r.path());
        assertEquals("application/json", r.header("Content-type"));
        assertEquals("switchover", r.header("User-agent"));
        assertEquals("switchover-orders/3", r.header("X-switchover-event"));
        assertEquals("Bearer t0ken-123", r.header("Authorization"));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(3, body.get("sequence").asInt());
        assertEquals("phase_changed", body.get("event").asText());
        assertEquals("orders", body.get("migration").asText());
        assertEquals("switchover-orders", body.get("workflowId").asText());
        assertEquals("BASE_COPY", body.get("phase").asText());
        assertEquals("PREPARE_SOURCE", body.get("previousPhase").asText());
        assertEquals("2026-11-27T07:00:00Z", body.get("at").asText());
        assertEquals(
                "copying the base backup to the target", body.get("message").asText());
        assertEquals(LabHost.SRC.address(), body.get("source").asText());
        assertEquals(LabHost.DST.address(), body.get("target").asText());
        assertEquals(JSON.readTree(JSON.writeValueAsString(EVENT)), body, "nothing else in the body");
    }

    @Test
    void urlAndAuthorizationMayComeFromFilesAndAnEventWithoutPreviousPhaseOmitsIt() throws Exception {
        Path urlFile = Files.writeString(dir.resolve("url"), url("/services/T0/B0/secretpath") + "\n");
        Path authFile = Files.writeString(dir.resolve("auth"), "Basic b3BzOnB3\n");
        Notification awaited = new Notification(
                7,
                Notification.APPROVAL_AWAITED,
                "orders",
                "switchover-orders",
                Phase.AWAIT_CUTOVER,
                null,
                "2026-11-27T07:05:00Z",
                "approval: ./switchover approve switchover-orders",
                LabHost.SRC.address(),
                LabHost.DST.address());
        sender(Map.of()).notifyWebhook(new WebhookSpec("file:" + urlFile, "file:" + authFile), awaited);

        Received r = received.get(0);
        assertEquals("/services/T0/B0/secretpath", r.path());
        assertEquals("Basic b3BzOnB3", r.header("Authorization"));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("approval_awaited", body.get("event").asText());
        assertFalse(body.has("previousPhase"), r.body());
    }

    @Test
    void serverErrorsTimeoutsAndRateLimitsAreRetryable() {
        for (int status : List.of(500, 503, 408, 429)) {
            answer = status;
            ApplicationFailure f = assertThrows(
                    ApplicationFailure.class,
                    () -> sender(Map.of()).notifyWebhook(new WebhookSpec(url("/hook"), null), EVENT));
            assertFalse(f.isNonRetryable(), status + ": " + f.getOriginalMessage());
            assertFalse(Failures.NON_RETRYABLE.contains(f.getType()), f.getType());
            assertTrue(
                    f.getOriginalMessage().contains("answered HTTP " + status + " to event #3"),
                    f.getOriginalMessage());
        }
        assertEquals(4, received.size());
    }

    @Test
    void aRefusalIsNotRetriedAndASecretUrlIsNamedByItsHostOnly() throws Exception {
        answer = 404;
        ApplicationFailure literal = assertThrows(
                ApplicationFailure.class,
                () -> sender(Map.of()).notifyWebhook(new WebhookSpec(url("/wrong/path"), null), EVENT));
        assertEquals(Failures.WEBHOOK_REJECTED, literal.getType());
        assertTrue(literal.isNonRetryable());
        assertTrue(Failures.NON_RETRYABLE.contains(literal.getType()));
        assertTrue(
                literal.getOriginalMessage().contains(url("/wrong/path") + " answered HTTP 404"),
                literal.getOriginalMessage());

        answer = 301;
        ApplicationFailure moved = assertThrows(
                ApplicationFailure.class,
                () -> sender(Map.of()).notifyWebhook(new WebhookSpec(url("/old"), null), EVENT));
        assertEquals(Failures.WEBHOOK_REJECTED, moved.getType());
        assertTrue(
                moved.getOriginalMessage().contains("answered HTTP 301 to event #3, a redirect"),
                moved.getOriginalMessage());

        answer = 403;
        ApplicationFailure secret = assertThrows(
                ApplicationFailure.class,
                () -> sender(Map.of("HOOK_URL", url("/services/T0/B0/xoxb-secret?token=abc")))
                        .notifyWebhook(new WebhookSpec("env:HOOK_URL", null), EVENT));
        assertEquals(Failures.WEBHOOK_REJECTED, secret.getType());
        String m = secret.getOriginalMessage();
        assertTrue(
                m.contains("http://" + BRIDGE + ":" + server.getAddress().getPort() + " (from env:HOOK_URL) answered"
                        + " HTTP 403"),
                m);
        assertFalse(m.contains("xoxb-secret") || m.contains("token=abc"), m);
    }

    @Test
    void aReceiverThatIsNotListeningIsRetryable() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(BRIDGE))) {
            closed = s.getLocalPort();
        }
        ApplicationFailure f = assertThrows(
                ApplicationFailure.class,
                () -> sender(Map.of())
                        .notifyWebhook(new WebhookSpec("http://" + BRIDGE + ":" + closed + "/hook", null), EVENT));
        assertFalse(f.isNonRetryable());
        assertTrue(f.getOriginalMessage().contains("could not be reached (ConnectException)"), f.getOriginalMessage());
    }

    @Test
    void aMissingAuthorizationSecretIsNotRetriedAndNothingIsSent() {
        ApplicationFailure f = assertThrows(
                ApplicationFailure.class,
                () -> sender(Map.of()).notifyWebhook(new WebhookSpec(url("/hook"), "env:HOOK_AUTH"), EVENT));
        assertEquals(Failures.SECRET_UNAVAILABLE, f.getType());
        assertTrue(
                f.getOriginalMessage().contains("notifications.webhook.authorization refers to env:HOOK_AUTH"),
                f.getOriginalMessage());
        assertEquals(List.of(), received);
    }
}
