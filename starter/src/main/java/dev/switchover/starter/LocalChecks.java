package dev.switchover.starter;

import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SecretRef;
import dev.switchover.workflows.spec.SshSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What {@code validate} can check from where it runs, beyond the spec's own rules: secrets that
 * resolve, SSH keys and known_hosts files that are there and name the hosts, and hosts that
 * answer on their SSH and database ports. Each problem names the field and the fix. The worker
 * resolves secrets and connects from its own machine, so {@code --offline} skips all of it where
 * this is not that machine.
 */
final class LocalChecks {
    private static final int CONNECT_MILLIS = 3000;

    private LocalChecks() {}

    static List<String> problems(MigrationSpec spec) {
        List<String> problems = new ArrayList<>();
        secret(
                problems,
                "source.database.adminPassword",
                spec.source().database().adminPassword());
        secret(
                problems,
                "target.database.adminPassword",
                spec.target().database().adminPassword());
        secret(problems, "replication.password", spec.replication().password());
        if (spec.traffic().pgbouncer() != null) {
            secret(
                    problems,
                    "traffic.pgbouncer.adminPassword",
                    spec.traffic().pgbouncer().adminPassword());
        }
        if (spec.notifications() != null && spec.notifications().webhook() != null) {
            secret(
                    problems,
                    "notifications.webhook.authorization",
                    spec.notifications().webhook().authorization());
        }
        ssh(problems, "source", spec.source());
        ssh(problems, "target", spec.target());
        // Both hosts, both ports, at once: four answers in one connect timeout.
        List<CompletableFuture<String>> answers = List.of(
                reach("source", spec.source().address(), spec.source().ssh().port(), "SSH (source.ssh.port)"),
                reach(
                        "source",
                        spec.source().address(),
                        spec.source().database().port(),
                        "the database (source.database.port)"),
                reach("target", spec.target().address(), spec.target().ssh().port(), "SSH (target.ssh.port)"),
                reach(
                        "target",
                        spec.target().address(),
                        spec.target().database().port(),
                        "the database (target.database.port)"));
        for (CompletableFuture<String> a : answers) {
            String problem = a.join();
            if (problem != null) problems.add(problem);
        }
        return problems;
    }

    private static void secret(List<String> problems, String field, String value) {
        if (value == null || !SecretRef.isReference(value)) return;
        SecretRef ref = SecretRef.parse(value);
        switch (ref.kind()) {
            case ENV -> {
                String v = System.getenv(ref.name());
                if (v == null || v.isBlank()) {
                    problems.add(field + ": the environment variable " + ref.name()
                            + " is not set here; export it where the" + " worker runs (and here, to check)");
                }
            }
            case FILE -> {
                Path file = expand(ref.name());
                if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                    problems.add(field + ": the file " + file
                            + " does not exist or is not readable here; create it (mode 600)"
                            + " on the worker's machine");
                } else if (size(file) == 0) {
                    problems.add(field + ": the file " + file + " is empty; write the secret into it");
                }
            }
            default -> {}
        }
    }

    private static void ssh(List<String> problems, String role, HostSpec host) {
        SshSpec ssh = host.ssh();
        Path key = expand(ssh.privateKey());
        if (!Files.isRegularFile(key) || !Files.isReadable(key)) {
            problems.add(
                    role + ".ssh.privateKey: " + key + " does not exist or is not readable here; point it at the key"
                            + " whose public half is in ~" + ssh.user() + "/.ssh/authorized_keys on " + host.address());
        }
        Path knownHosts = expand(ssh.knownHosts());
        if (!Files.isRegularFile(knownHosts) || !Files.isReadable(knownHosts)) {
            problems.add(role + ".ssh.knownHosts: " + knownHosts
                    + " does not exist or is not readable here; create it with" + " the host's key (ssh-keyscan "
                    + host.address() + ", after checking its fingerprint out of band)");
        } else if (!knows(knownHosts, host.address(), ssh.port())) {
            problems.add(role + ".ssh.knownHosts: " + knownHosts + " has no key for " + host.address()
                    + "; add it (ssh-keyscan"
                    + (ssh.port() == 22 ? "" : " -p " + ssh.port()) + " " + host.address()
                    + ", after checking its fingerprint"
                    + " out of band)");
        }
    }

    private static CompletableFuture<String> reach(String role, String address, int port, String what) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), CONNECT_MILLIS);
                return null;
            } catch (IOException e) {
                return role + ".address: " + address + ":" + port + " (" + what + ") does not answer from here: "
                        + e.getMessage()
                        + "; check the address, that the host is up and the port open from the worker's machine";
            }
        });
    }

    /** Whether the known_hosts file has a line for the host, in plain or hashed form (ssh-keygen -H). */
    static boolean knows(Path file, String address, int port) {
        String name = port == 22 ? address : "[" + address + "]:" + port;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                String hosts = l.split("\\s+", 2)[0];
                if (hosts.startsWith("@")) hosts = l.split("\\s+", 3)[1];
                for (String h : hosts.split(",")) {
                    if (h.equals(name) || (h.startsWith("|1|") && hashedMatches(h, name))) return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hashedMatches(String entry, String name) {
        String[] parts = entry.split("\\|");
        if (parts.length != 4) return false;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(parts[2]), "HmacSHA1"));
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(expected, mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static Path expand(String path) {
        if (path == null) return Path.of("");
        return path.startsWith("~/") ? Path.of(System.getProperty("user.home"), path.substring(2)) : Path.of(path);
    }
}
