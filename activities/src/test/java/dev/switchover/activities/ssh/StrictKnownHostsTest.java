package dev.switchover.activities.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import net.schmizz.sshj.SSHClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uses ssh-keygen to make keys, as an operator would. */
class StrictKnownHostsTest {
    private static final String SSHT = LabHost.SSHT.address();

    @TempDir
    Path dir;

    private Path keygen(String name) throws Exception {
        Path key = dir.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return key;
    }

    private static PublicKey publicKey(Path key) throws Exception {
        try (SSHClient c = new SSHClient()) {
            return c.loadKeys(key.toString()).getPublic();
        }
    }

    private Path knownHosts(String hostPattern, Path key) throws Exception {
        String pub = Files.readString(Path.of(key + ".pub")).trim();
        String[] parts = pub.split(" ");
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, hostPattern + " " + parts[0] + " " + parts[1] + "\n");
        return file;
    }

    @Test
    void fingerprintMatchesWhatSshKeygenPrints() throws Exception {
        Path key = keygen("k");
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals(line.split(" ")[1], StrictKnownHosts.fingerprint(publicKey(key)));
    }

    @Test
    void listedKeyIsAccepted() throws Exception {
        Path key = keygen("k");
        StrictKnownHosts v = new StrictKnownHosts(knownHosts(SSHT, key).toFile());
        assertTrue(v.verify(SSHT, 22, publicKey(key)));
        assertNull(v.refusal());
    }

    @Test
    void keyOfAHostNotListedIsRefusedAsUnknown() throws Exception {
        Path key = keygen("k");
        StrictKnownHosts v =
                new StrictKnownHosts(knownHosts(LabHost.nowhere(5), key).toFile());
        assertFalse(v.verify(SSHT, 22, publicKey(key)));
        assertFalse(v.refusal().changed());
        assertEquals(StrictKnownHosts.fingerprint(publicKey(key)), v.refusal().fingerprint());
    }

    @Test
    void differentKeyForAListedHostIsRefusedAsChanged() throws Exception {
        Path listed = keygen("listed");
        Path offered = keygen("offered");
        StrictKnownHosts v = new StrictKnownHosts(knownHosts(SSHT, listed).toFile());
        assertFalse(v.verify(SSHT, 22, publicKey(offered)));
        assertTrue(v.refusal().changed());
        assertEquals(
                StrictKnownHosts.fingerprint(publicKey(offered)), v.refusal().fingerprint());
    }

    @Test
    void nonStandardPortNeedsTheBracketedEntry() throws Exception {
        Path key = keygen("k");
        assertFalse(new StrictKnownHosts(knownHosts(SSHT, key).toFile()).verify(SSHT, 2222, publicKey(key)));
        assertTrue(new StrictKnownHosts(knownHosts("[" + SSHT + "]:2222", key).toFile())
                .verify(SSHT, 2222, publicKey(key)));
    }
}
