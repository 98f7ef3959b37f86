package dev.switchover.activities.ssh;

import java.io.File;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Accepts a host key only if the known_hosts file lists it for that host; never adds keys.
 * Remembers the key it refused so that the failure can name its fingerprint: SSHJ's own exception
 * gives only an MD5 fingerprint, which is not what {@code ssh-keygen -l} prints today.
 */
final class StrictKnownHosts extends OpenSSHKnownHosts {
    /** What was refused; null while nothing has been. */
    record Refusal(String host, String keyType, String fingerprint, boolean changed) {}

    private volatile Refusal refusal;

    StrictKnownHosts(File knownHosts) throws IOException {
        super(knownHosts);
    }

    Refusal refusal() {
        return refusal;
    }

    @Override
    protected boolean hostKeyUnverifiableAction(String host, PublicKey key) {
        refusal = new Refusal(host, KeyType.fromKey(key).toString(), fingerprint(key), false);
        return false;
    }

    @Override
    protected boolean hostKeyChangedAction(String host, PublicKey key) {
        refusal = new Refusal(host, KeyType.fromKey(key).toString(), fingerprint(key), true);
        return false;
    }

    /** The key's fingerprint as {@code ssh-keygen -l} and {@code ssh} print it: SHA256:base64. */
    static String fingerprint(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
