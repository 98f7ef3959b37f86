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
  @TempDir Path dir;

  @Test
  void theEnvironmentTheCliReadsNamesTheResidentProcessAndNothingElseDoes() throws Exception {
    Path jar = Files.writeString(dir.resolve("switchover.jar"), "one build");
    Map<String, String> env = Map.of("TEMPORAL_ADDRESS", "a:7233", "PATH", "/bin", "HOME", "/root");
    String key = ResidentClient.key(jar, env);
    assertEquals(key, ResidentClient.key(jar, Map.of("TEMPORAL_ADDRESS", "a:7233", "PATH", "/usr/bin", "HOME", "/root")),
        "PATH is not read by the CLI");
    assertEquals(key, ResidentClient.key(jar, Map.of("TEMPORAL_ADDRESS", "a:7233", "PATH", "/bin", "HOME", "/root",
        "SWITCHOVER_CLI_TRACE", "1")), "the trace is the client's own");
    for (Map<String, String> other : java.util.List.of(
        Map.of("TEMPORAL_ADDRESS", "b:7233", "PATH", "/bin", "HOME", "/root"),
        Map.of("TEMPORAL_ADDRESS", "a:7233", "TEMPORAL_NAMESPACE", "prod", "PATH", "/bin", "HOME", "/root"),
        Map.of("TEMPORAL_ADDRESS", "a:7233", "SWITCHOVER_DEBUG", "1", "PATH", "/bin", "HOME", "/root"),
        Map.of("TEMPORAL_ADDRESS", "a:7233", "TZ", "Europe/Paris", "PATH", "/bin", "HOME", "/root"),
        Map.of("TEMPORAL_ADDRESS", "a:7233", "PATH", "/bin", "HOME", "/home/ops"))) {
      assertNotEquals(key, ResidentClient.key(jar, other), "a different answer may follow from " + other);
    }
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
    assertNotEquals(key, ResidentClient.key(jar, env), "a rebuilt jar gets a resident process of its own");
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
