package dev.switchover.activities.ssh;

import dev.switchover.workflows.Failures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/**
 * The worker's SSH key files for one host: the private key it logs in with and the known_hosts
 * file its host key must be in. Loads them, and says what to do when either is missing, unusable
 * or refused: each is a failure no retry mends.
 */
record SshKeys(String address, int port, String privateKey, String knownHosts) {

    Path knownHostsFile() {
        return expandHome(knownHosts);
    }

    /** The host refused {@code key} for {@code user}. */
    RuntimeException keyRefused(String user, KeyProvider key) {
        return Failures.fatal(
                Failures.BAD_CREDENTIALS,
                user
                        + "@"
                        + address
                        + " refused the key "
                        + privateKey
                        + " ("
                        + fingerprintOf(key)
                        + "); add its public key to ~"
                        + user
                        + "/.ssh/authorized_keys on "
                        + address
                        + ", or correct ssh.user / ssh.privateKey in the spec");
    }

    StrictKnownHosts loadKnownHosts(Path file) {
        if (!readable(file)) {
            throw Failures.fatal(
                    Failures.HOST_KEY_REJECTED,
                    "cannot check the host key of "
                            + address
                            + ": the known_hosts file "
                            + file
                            + " (ssh.knownHosts) does not exist or is not readable; create it and add the host's"
                            + " key with ssh-keyscan after verifying its fingerprint out of band");
        }
        try {
            return new StrictKnownHosts(file.toFile());
        } catch (IOException e) {
            throw Failures.fatal(
                    Failures.HOST_KEY_REJECTED,
                    "cannot read the known_hosts file " + file + " to check " + address + ": " + e);
        }
    }

    KeyProvider loadPrivateKey(SSHClient c) {
        if (privateKey == null || privateKey.isBlank()) {
            throw Failures.fatal(
                    Failures.SECRET_UNAVAILABLE,
                    "ssh.privateKey for " + address + " is not set; give the path of a private key file on the worker");
        }
        Path file = expandHome(privateKey);
        if (!readable(file)) {
            throw unusableKey(
                    file,
                    ", which does not exist or which the worker may not read; put the key there"
                            + " and make it readable by the worker's user");
        }
        try {
            KeyProvider key = c.loadKeys(file.toString());
            key.getPublic(); // parse now, so that a bad file is reported as such and not as a refusal
            return key;
        } catch (IOException | RuntimeException e) {
            throw unusableKey(
                    file,
                    ", which is not a usable private key (" + e.getClass().getSimpleName()
                            + "); use an unencrypted OpenSSH or PEM key file");
        }
    }

    private RuntimeException unusableKey(Path file, String why) {
        return Failures.fatal(
                Failures.SECRET_UNAVAILABLE, "ssh.privateKey for " + address + " refers to " + file + why);
    }

    RuntimeException hostKeyRejected(StrictKnownHosts.Refusal r, Path file) {
        String keyscan =
                "ssh-keyscan " + (port == 22 ? "" : "-p " + port + " ") + ("-t " + r.keyType() + " " + address);
        String message = r.changed()
                ? "the host key of "
                        + r.host()
                        + " has CHANGED: it offered "
                        + r.keyType()
                        + " key "
                        + r.fingerprint()
                        + ", which "
                        + file
                        + " does not list for it. This is a reinstalled host or someone in between;"
                        + " verify the fingerprint out of band (on the host: ssh-keygen -lf"
                        + " /etc/ssh/ssh_host_*_key.pub), then remove the old entry (ssh-keygen -R "
                        + r.host()
                        + " -f "
                        + file
                        + ") and add the host's key with "
                        + keyscan
                        + " >> "
                        + file
                : "the host key of "
                        + r.host()
                        + " is unknown: it offered "
                        + r.keyType()
                        + " key "
                        + r.fingerprint()
                        + ", and "
                        + file
                        + " has no entry for that host. If it is the right host, add the host's key with"
                        + " ssh-keyscan after verifying its fingerprint out of band (on the host:"
                        + " ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub): "
                        + keyscan
                        + " >> "
                        + file;
        return Failures.fatal(Failures.HOST_KEY_REJECTED, message);
    }

    private static String fingerprintOf(KeyProvider key) {
        try {
            return StrictKnownHosts.fingerprint(key.getPublic());
        } catch (IOException e) {
            return "fingerprint unknown";
        }
    }

    private static boolean readable(Path file) {
        return Files.isRegularFile(file) && Files.isReadable(file);
    }

    static Path expandHome(String path) {
        if (path.equals("~")) return Path.of(System.getProperty("user.home"));
        if (path.startsWith("~/")) return Path.of(System.getProperty("user.home"), path.substring(2));
        return Path.of(path);
    }
}
