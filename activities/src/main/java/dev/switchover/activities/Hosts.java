package dev.switchover.activities;

import dev.switchover.activities.secrets.Secret;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.spec.HostSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's ways into the hosts: one SSH connection per host, kept between activities, and
 * the secrets the spec refers to, resolved from the worker's own environment and files.
 */
public final class Hosts implements AutoCloseable {
    private final SecretResolver secrets;
    private final Map<String, RemoteHost> connections = new ConcurrentHashMap<>();

    public Hosts(SecretResolver secrets) {
        this.secrets = secrets;
    }

    public RemoteHost ssh(HostSpec host) {
        String key = host.ssh().user() + "@" + host.address() + ":" + host.ssh().port() + " "
                + host.ssh().privateKey() + " " + host.ssh().knownHosts();
        return connections.computeIfAbsent(key, k -> new RemoteHost(host));
    }

    /** Resolves {@code reference}; {@code field} names it in the error if it cannot be. */
    public Secret secret(String field, String reference) {
        return secrets.resolve(field, reference);
    }

    @Override
    public void close() {
        connections.values().forEach(RemoteHost::close);
        connections.clear();
    }
}
