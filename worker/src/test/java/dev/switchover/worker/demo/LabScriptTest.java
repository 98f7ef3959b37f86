package dev.switchover.worker.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabScriptTest {
  @TempDir Path dir;

  @Test
  void specHeadIsAValidSpecNamingBothHostsAndAPasswordReference() throws Exception {
    Path secret = LabScript.replicationSecret(dir.resolve("replication-password"));
    MigrationSpec spec = SpecLoader.parse(LabScript.specHead("lab-test", "198.18.0.11", "198.18.0.12", secret)
        + LabScript.TEST_PACE + "report: {directory: " + dir + "}\n", "lab spec");
    assertEquals("198.18.0.11", spec.source().address());
    assertEquals("198.18.0.12", spec.target().address());
    assertEquals(LabScript.KEY, spec.target().ssh().privateKey());
    assertEquals("/var/lib/postgresql/15/main", spec.source().database().dataDirectory());
    assertEquals("file:" + secret, spec.replication().password().toString());
    assertEquals(1000, spec.benchmark().minIops());
  }

  @Test
  void replicationSecretIsPrivateRandomAndKept() throws Exception {
    Path file = LabScript.replicationSecret(dir.resolve("a"));
    String first = Files.readString(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(first, Files.readString(LabScript.replicationSecret(file)), "an existing secret is kept");
    assertNotEquals(first, Files.readString(LabScript.replicationSecret(dir.resolve("b"))));
  }
}
