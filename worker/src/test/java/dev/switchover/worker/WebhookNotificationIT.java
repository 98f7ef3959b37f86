package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.worker.durability.WorkerProcess;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.Runbook;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A migration's webhook, end to end: a real Temporal dev server, a worker process and lab hosts
 * whks → whkt, the events POSTed to an HTTP server in this test on the lab bridge, which refuses
 * each migration's first POST with 503 to make the worker retry. A migration stopped at the
 * benchmark floor announces its failure; a manual migration, approved with the CLI once the webhook
 * said an approval is awaited, announces every phase in order.
 */
class WebhookNotificationIT {
    private static final String SRC_ADDRESS = LabHost.WHKS.address();
    private static final String DST_ADDRESS = LabHost.WHKT.address();
    private static final String AUTHORIZATION = "Bearer whk-lab-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST as it arrived, and what the server answered. */
    record Post(String key, String authorization, JsonNode body, int answer) {}

    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final Set<String> seenWorkflows = new HashSet<>();
    private final long t0 = System.nanoTime();

    @Test
    void theWebhookHearsEveryPhaseInOrderTheAwaitedApprovalAndAFailure() throws Exception {
        LabPair lab = LabPair.up(LabHost.WHKS, LabHost.WHKT);
        lab.reset();
        lab.seedOrders(10_000);
        Path dir = Files.createTempDirectory("switchover-webhook");
        Path auth = Files.writeString(dir.resolve("webhook-auth"), AUTHORIZATION + "\n");
        HttpServer receiver = receiver();
        String notifications =
                """
        notifications:
          webhook:
            url: http://%s:%d/hooks/switchover
            authorization: file:%s
        """.formatted(LabHost.WORKER_ADDRESS, receiver.getAddress().getPort(), auth);
        try (DevServer temporal = DevServer.start(dir.resolve("temporal.db"));
                WorkerProcess worker = WorkerProcess.start(temporal.address(), dir.resolve("worker.log"))) {
            WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporal.address())
                    .build());
            try {
                WorkflowClient client = WorkflowClient.newInstance(stubs);
                failureAtTheBenchmarkFloorIsAnnounced(lab, dir, temporal.address(), client, notifications);
                manualMigrationIsAnnouncedPhaseByPhase(lab, dir, temporal.address(), client, notifications);
            } catch (Throwable e) {
                String text = worker.logText();
                say("worker log tail:\n" + text.substring(Math.max(0, text.length() - 3000)));
                throw e;
            } finally {
                stubs.shutdownNow();
                receiver.stop(0);
            }
        }
    }

    private void failureAtTheBenchmarkFloorIsAnnounced(
            LabPair lab, Path dir, String address, WorkflowClient client, String notifications) throws Exception {
        Path spec = dir.resolve("whkfail.yaml");
        String yaml = lab.spec("whkfail", "manual", dir) + notifications;
        assertTrue(yaml.contains("minIops: 100,"), yaml);
        Files.writeString(spec, yaml.replace("minIops: 100,", "minIops: 100000000,"));
        start(dir, spec, address);
        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> client.newUntypedWorkflowStub("switchover-whkfail")
                        .getResult(3, TimeUnit.MINUTES, MigrationResult.class));
        assertEquals(
                Failures.IOPS_BELOW_FLOOR,
                assertInstanceOf(ApplicationFailure.class, e.getCause()).getType());

        List<JsonNode> events = delivered("switchover-whkfail");
        say("whkfail's events: "
                + events.stream().map(WebhookNotificationIT::brief).toList());
        assertNumberedFromOne(events);
        assertEquals(List.of(Phase.PREFLIGHT, Phase.BENCHMARK, Phase.ROLLING_BACK, Phase.FAILED), phases(events));
        JsonNode last = events.get(events.size() - 1);
        assertEquals("failed", last.get("event").asText());
        assertTrue(last.get("message").asText().contains("below the floor of 100000000"), last.toString());
    }

    private void manualMigrationIsAnnouncedPhaseByPhase(
            LabPair lab, Path dir, String address, WorkflowClient client, String notifications) throws Exception {
        Path spec = dir.resolve("whk.yaml");
        Files.writeString(spec, lab.spec("whk", "manual", dir) + notifications);
        start(dir, spec, address);

        // The operator approves because the webhook said so.
        awaitPost("switchover-whk", "approval_awaited", 240);
        OperatorCli.Output approved = OperatorCli.run(
                dir, "approve", "switchover-whk", "--by", "it", "--comment", "CHG-WHK", "--address", address);
        say("approved: " + approved);
        assertEquals(0, approved.exit(), approved.toString());

        MigrationResult done =
                client.newUntypedWorkflowStub("switchover-whk").getResult(5, TimeUnit.MINUTES, MigrationResult.class);
        assertEquals(
                Phase.DONE, done.status().phase(), "failure: " + done.status().failure());
        assertEquals(lab.orders(SRC_ADDRESS), lab.orders(DST_ADDRESS), "every row of orders on the target");
        assertTrue(
                done.status().notes().stream().noneMatch(n -> n.contains("webhook")),
                "" + done.status().notes());

        List<Post> mine = posts.stream()
                .filter(p -> p.key().startsWith("switchover-whk/"))
                .toList();
        assertEquals(503, mine.get(0).answer(), "the first POST was refused");
        assertEquals("switchover-whk/1", mine.get(1).key(), "and the same event sent again: " + keys(mine));
        assertTrue(mine.stream().allMatch(p -> AUTHORIZATION.equals(p.authorization())), "Authorization from the file");

        List<JsonNode> events = delivered("switchover-whk");
        say("whk's events: " + events.stream().map(WebhookNotificationIT::brief).toList());
        assertNumberedFromOne(events);
        assertEquals(Runbook.HAPPY_PATH, phases(events));
        int awaited = indexOf(events, "approval_awaited", null);
        assertTrue(
                indexOf(events, "phase_changed", Phase.AWAIT_CUTOVER) < awaited
                        && awaited < indexOf(events, "phase_changed", Phase.FREEZE_WRITES),
                "" + events);
        assertEquals(
                1,
                events.stream()
                        .filter(e -> e.get("event").asText().equals("approval_awaited"))
                        .count());
        for (JsonNode e : events) {
            assertEquals("whk", e.get("migration").asText());
            assertEquals(SRC_ADDRESS, e.get("source").asText());
            assertEquals(DST_ADDRESS, e.get("target").asText());
        }
        assertTrue(events.stream().noneMatch(e -> e.get("event").asText().equals("failed")), "" + events);
    }

    /** The test's receiver on the lab bridge: each migration's first POST gets 503, every other one 204. */
    private HttpServer receiver() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(LabHost.WORKER_ADDRESS, 0), 0);
        server.createContext("/hooks/switchover", exchange -> {
            String key = exchange.getRequestHeaders().getFirst("X-Switchover-Event");
            JsonNode body = JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int answer;
            synchronized (seenWorkflows) {
                answer = seenWorkflows.add(key.substring(0, key.indexOf('/'))) ? 503 : 204;
            }
            posts.add(new Post(key, exchange.getRequestHeaders().getFirst("Authorization"), body, answer));
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static void start(Path dir, Path spec, String address) throws Exception {
        OperatorCli.Output started = OperatorCli.run(dir, "start", spec.toString(), "--address", address);
        assertEquals(0, started.exit(), started.toString());
    }

    /** The events a receiver keeps: accepted ones, a retry's duplicate dropped by its X-Switchover-Event. */
    private List<JsonNode> delivered(String workflowId) {
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        for (Post p : posts) {
            if (p.key().startsWith(workflowId + "/") && p.answer() / 100 == 2) byKey.putIfAbsent(p.key(), p.body());
        }
        return new ArrayList<>(byKey.values());
    }

    private void awaitPost(String workflowId, String event, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (delivered(workflowId).stream()
                    .anyMatch(e -> e.get("event").asText().equals(event))) {
                say(event + " received");
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(
                "no " + event + " for " + workflowId + " within " + seconds + " s; posts: " + keys(posts));
    }

    private static void assertNumberedFromOne(List<JsonNode> events) {
        assertEquals(
                IntStream.rangeClosed(1, events.size()).boxed().toList(),
                events.stream().map(e -> e.get("sequence").asInt()).toList(),
                "1..n in arrival order");
    }

    private static List<Phase> phases(List<JsonNode> events) {
        return events.stream()
                .filter(e -> e.get("event").asText().equals("phase_changed"))
                .map(e -> Phase.valueOf(e.get("phase").asText()))
                .toList();
    }

    private static int indexOf(List<JsonNode> events, String event, Phase phase) {
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            if (e.get("event").asText().equals(event)
                    && (phase == null || e.get("phase").asText().equals(phase.name()))) {
                return i;
            }
        }
        throw new AssertionError("no " + event + " " + phase + " in " + events);
    }

    private static List<String> keys(List<Post> posts) {
        return posts.stream().map(p -> p.key() + "=" + p.answer()).toList();
    }

    private static String brief(JsonNode e) {
        return e.get("sequence").asInt() + " " + e.get("event").asText() + " "
                + e.get("phase").asText();
    }

    private void say(String line) {
        System.out.printf("webhook %6.1fs  %s%n", (System.nanoTime() - t0) / 1e9, line);
    }
}
