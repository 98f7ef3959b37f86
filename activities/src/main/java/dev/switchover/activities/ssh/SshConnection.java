package dev.switchover.activities.ssh;

import dev.switchover.workflows.spec.DurationText;
import dev.switchover.workflows.spec.SshSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH connection to one host: made on first use and again whenever it has dropped, with the
 * host key checked strictly against the spec's known_hosts file (never learned) and the spec's
 * private key. Hands out one session per command; SSH multiplexes them over the connection.
 */
final class SshConnection implements AutoCloseable {
    // RemoteHost's logger: the bench and the worker's log settings listen to it for every SSH line.
    private static final Logger log = LoggerFactory.getLogger(RemoteHost.class);

    /** A dead connection is noticed after about this times the keepalive count (5) of silence. */
    private static final int KEEPALIVE_SECONDS = 15;

    private final String address;
    private final int port;
    private final String user;
    private final SshKeys keys;
    private final Duration connectTimeout;

    private SSHClient client; // guarded by this

    SshConnection(String address, SshSpec ssh) {
        this.address = address;
        this.port = ssh == null || ssh.port() == null ? 22 : ssh.port();
        this.user = ssh == null || ssh.user() == null ? "root" : ssh.user();
        this.keys = new SshKeys(
                address,
                port,
                ssh == null ? null : ssh.privateKey(),
                ssh == null || ssh.knownHosts() == null ? "~/.ssh/known_hosts" : ssh.knownHosts());
        this.connectTimeout =
                ssh == null || ssh.connectTimeout() == null ? Duration.ofSeconds(10) : ssh.connectTimeout();
    }

    String address() {
        return address;
    }

    /** Opens a channel, reconnecting once if the connection turns out to be gone. */
    Session openSession() {
        SSHClient c = connected();
        try {
            return c.startSession();
        } catch (IOException | IllegalStateException first) {
            // IllegalStateException: "Not connected", when the transport died after connected() looked.
            log.info("{}: connection is gone ({}); reconnecting", address, first.toString());
            synchronized (this) {
                if (client == c) close();
            }
            try {
                return connected().startSession();
            } catch (IOException second) {
                throw new RemoteCommandException(
                        "cannot open an SSH session on " + user + "@" + address + ": " + second.getMessage(), second);
            }
        }
    }

    private synchronized SSHClient connected() {
        if (client != null && client.isConnected() && client.isAuthenticated()) return client;
        close();
        Path knownHostsFile = keys.knownHostsFile();
        StrictKnownHosts verifier = keys.loadKnownHosts(knownHostsFile);

        DefaultConfig config = new DefaultConfig();
        config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        SSHClient c = new SSHClient(config);
        c.addHostKeyVerifier(verifier);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        c.setConnectTimeout(timeoutMillis);
        // Key exchange, authentication and channel opens wait this long for the host's answer.
        c.getTransport().setTimeoutMs(Math.max(timeoutMillis, 30_000));
        // Must be set before connect(), which starts the keepalive thread only if it is positive.
        c.getConnection().getKeepAlive().setKeepAliveInterval(KEEPALIVE_SECONDS);
        KeyProvider key = keys.loadPrivateKey(c);

        try {
            c.connect(address, port);
            // Every command is a few small packets each way (channel open, exec, EOF, close): with
            // Nagle's algorithm each waited for the other side's delayed ACK, about 40 ms a command.
            c.getSocket().setTcpNoDelay(true);
        } catch (IOException e) {
            closeQuietly(c);
            StrictKnownHosts.Refusal refused = verifier.refusal();
            if (refused != null) throw keys.hostKeyRejected(refused, knownHostsFile);
            throw new RemoteCommandException(
                    "cannot connect to " + address + ":" + port + " within " + DurationText.format(connectTimeout)
                            + ": " + e,
                    e);
        }
        try {
            c.authPublickey(user, key);
        } catch (UserAuthException e) {
            closeQuietly(c);
            throw keys.keyRefused(user, key);
        } catch (IOException e) {
            closeQuietly(c);
            throw new RemoteCommandException(
                    "connection to " + address + ":" + port + " failed while logging in: " + e, e);
        }
        log.info("{}: connected as {} (host key checked against {})", address, user, knownHostsFile);
        client = c;
        return c;
    }

    /** Disconnects; the next command connects again. */
    @Override
    public synchronized void close() {
        if (client != null) {
            try {
                client.disconnect();
            } catch (IOException e) {
                log.debug("{}: disconnecting: {}", address, e.toString());
            }
            client = null;
        }
    }

    /** Whether the connection sends small packets at once (TCP_NODELAY); connects if needed. */
    boolean sendsWithoutDelay() throws IOException {
        return connected().getSocket().getTcpNoDelay();
    }

    @Override
    public String toString() {
        return user + "@" + address + ":" + port;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) c.close();
        } catch (Exception e) {
            // Already closed or the connection is gone; nothing more to release.
        }
    }
}
