package dev.switchover.starter.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which resident process a call may use: one per build of the jar and per environment the CLI reads. */
class ResidentClientTest {
    @TempDir
    Path dir;

    @Test
    void theEnvironmentTheCliReadsNamesTheResidentProcessAndNothingElseDoes() throws Exception {
        Path jar = Files.writeString(dir.resolve("switchover.jar"), "one build");
        Map<String, String> env = Map.of("TEMPORAL_ADDRESS", "a:7233", "PATH", "/bin", "HOME", "/root");
        byte[] salt = ResidentClient.salt(dir);
        String key = ResidentClient.key(jar, env, salt);
        assertEquals(
                key,
                ResidentClient.key(
                        jar, Map.of("TEMPORAL_ADDRESS", "a:7233", "PATH", "/usr/bin", "HOME", "/root"), salt),
                "PATH is not read by the CLI");
        assertEquals(
                key,
                ResidentClient.key(
                        jar,
                        Map.of(
                                "TEMPORAL_ADDRESS",
                                "a:7233",
                                "PATH",
                                "/bin",
                                "HOME",
                                "/root",
                                "SWITCHOVER_CLI_TRACE",
                                "1"),
                        salt),
                "the trace is the client's own");
        for (Map<String, String> other : java.util.List.of(
                Map.of("TEMPORAL_ADDRESS", "b:7233", "PATH", "/bin", "HOME", "/root"),
                Map.of("TEMPORAL_ADDRESS", "a:7233", "TEMPORAL_NAMESPACE", "prod", "PATH", "/bin", "HOME", "/root"),
                Map.of("TEMPORAL_ADDRESS", "a:7233", "SWITCHOVER_DEBUG", "1", "PATH", "/bin", "HOME", "/root"),
                Map.of("TEMPORAL_ADDRESS", "a:7233", "TZ", "Europe/Paris", "PATH", "/bin", "HOME", "/root"),
                Map.of("TEMPORAL_ADDRESS", "a:7233", "PATH", "/bin", "HOME", "/home/ops"))) {
            assertNotEquals(key, ResidentClient.key(jar, other, salt), "a different answer may follow from " + other);
        }
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        assertEquals(32, salt.length);
        assertEquals(
                java.util.Arrays.toString(salt),
                java.util.Arrays.toString(ResidentClient.salt(dir)),
                "the salt is kept");
        assertNotEquals(key, ResidentClient.key(jar, env, new byte[32]), "another user's salt, another name");
        assertNotEquals(key, ResidentClient.key(jar, env, salt), "a rebuilt jar gets a resident process of its own");
    }

    /**
     * A resident process leaving (idle) or killed between the connect and taking the call: the call
     * never ran there, so it runs in its own JVM, not "unknown". Once taken, a closed connection is
     * an error that says so.
     */
    @Test
    void aCallTheResidentProcessDidNotTakeRunsElsewhereAndOneItTookIsNotRunTwice() throws Exception {
        Path socket = dir.resolve("t.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            for (boolean takes : new boolean[] {false, true}) {
                // The resident process's side: reads the call, then closes, having taken it or not.
                Thread resident = new Thread(() -> {
                    try (var accepted = server.accept()) {
                        Frames.readRequest(
                                new java.io.DataInputStream(java.nio.channels.Channels.newInputStream(accepted)));
                        if (takes) accepted.write(java.nio.ByteBuffer.wrap(new byte[] {Frames.ACCEPTED}));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                resident.start();
                try (var client = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
                    if (takes) {
                        org.junit.jupiter.api.Assertions.assertThrows(
                                java.io.IOException.class,
                                () -> ResidentClient.exchange(client, new String[] {"approve", "x"}),
                                "taken, then gone");
                    } else {
                        assertEquals(
                                OptionalInt.empty(),
                                ResidentClient.exchange(client, new String[] {"approve", "x"}),
                                "not taken: run in the caller's own JVM");
                    }
                }
                resident.join(10_000);
            }
        }
    }

    @Test
    void onlyTheVerbsThatAskTheServerAreHandedOver() {
        for (String verb : new String[] {"start", "validate", "worker", "demo", "fleet", "schedule", "--help"}) {
            assertEquals(OptionalInt.empty(), ResidentClient.run(new String[] {verb}), verb);
        }
        assertEquals(OptionalInt.empty(), ResidentClient.run(new String[0]));
        // From classes, not a jar (as here): every call runs in its own JVM.
        assertEquals(OptionalInt.empty(), ResidentClient.run(new String[] {"status", "x"}));
        assertTrue(ResidentClient.SERVED.contains("status"));
    }
}
