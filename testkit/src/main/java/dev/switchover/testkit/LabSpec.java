package dev.switchover.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Migration specs between lab hosts (the lab's SSH key and known_hosts, each flavor's database
 * server) and the secrets they refer to: the one spec builder of the tests, the bench and the demo.
 * The hosts themselves are {@link LabHost}s, brought up by {@link Lab}.
 */
public final class LabSpec {
    private LabSpec() {}

    public static final String STATE = System.getenv().getOrDefault("SWITCHOVER_LAB_DIR", "/var/lib/switchover-lab");
    public static final String KEY = STATE + "/client/id_ed25519";
    public static final String KNOWN_HOSTS = STATE + "/client/known_hosts";
    public static final String ADMIN_PASSWORD_FILE = STATE + "/secrets/pg-admin-password";

    /**
     * A lab host as the body of a migration spec's {@code source:} or {@code target:} (indented two
     * spaces, ending in a newline): its address, the lab's SSH key and known_hosts, and its
     * PostgreSQL 15 cluster at Debian's paths.
     */
    public static String hostSpec(String address) {
        return hostSpec(address, LabFlavor.POSTGRES15);
    }

    /** A lab host of {@code flavor} as the body of a spec's {@code source:} or {@code target:}. */
    public static String hostSpec(String address, LabFlavor flavor) {
        return """
          address: %s
          ssh:
            privateKey: %s
            knownHosts: %s
        """.formatted(address, KEY, KNOWN_HOSTS) + flavor.databaseSpec();
    }

    /** A lab host of {@code flavor} as a spec's {@code source:} or {@code target:} ({@code role}), with its key. */
    public static String host(String role, String address, LabFlavor flavor) {
        return role + ":\n" + hostSpec(address, flavor);
    }

    /**
     * A spec's {@code traffic:} block (top level) that switches through the PgBouncer on the lab host
     * at {@code address}: its admin password (a secret reference) and the database it routes.
     */
    public static String pgBouncerTraffic(String address, String adminPassword, String database) {
        return """
        traffic:
          type: pgbouncer
          pgbouncer:
            address: %s
            adminPassword: %s
            database: %s
            ssh:
              privateKey: %s
              knownHosts: %s
        """.formatted(address, adminPassword, database, KEY, KNOWN_HOSTS);
    }

    /**
     * The first lines of a migration spec between two lab hosts, up to and including the
     * replication password's reference; the caller appends the rest (benchmark, cutover, ...).
     */
    public static String specHead(String name, String sourceAddress, String targetAddress, Path replicationSecret) {
        return specHead(name, LabFlavor.POSTGRES15, sourceAddress, targetAddress, replicationSecret);
    }

    /** {@link #specHead(String, String, String, Path)} between two lab hosts of {@code flavor}. */
    public static String specHead(
            String name, LabFlavor flavor, String sourceAddress, String targetAddress, Path replicationSecret) {
        return specHead(name, flavor, sourceAddress, flavor, targetAddress, replicationSecret);
    }

    /**
     * {@link #specHead(String, String, String, Path)} between a source of {@code sourceFlavor} and a
     * target of {@code targetFlavor} (a PostgreSQL 15 source moving to 17, say); the engine is the
     * source's.
     */
    public static String specHead(
            String name,
            LabFlavor sourceFlavor,
            String sourceAddress,
            LabFlavor targetFlavor,
            String targetAddress,
            Path replicationSecret) {
        return """
        name: %s
        engine: %s
        source:
        %starget:
        %sreplication:
          password: file:%s
        """.formatted(
                        name,
                        sourceFlavor.engine().id(),
                        hostSpec(sourceAddress, sourceFlavor),
                        hostSpec(targetAddress, targetFlavor),
                        replicationSecret);
    }

    /** {@link #specHead(String, String, String, Path)} between two lab hosts, each of its own flavor. */
    public static String specHead(String name, LabHost source, LabHost target, Path replicationSecret) {
        return specHead(name, source.flavor(), source.address(), target.flavor(), target.address(), replicationSecret);
    }

    /**
     * Benchmark and catch-up settings for tests on the lab: its floor, a short fio run and a short
     * hold, so that a migration takes seconds. The hosts share this machine's disk with every other
     * test running beside them: under the crash matrices the disk did 930 IOPS where it does
     * thousands idle, so the floor is 100 (a disk below that is broken, not busy). The floor's
     * refusal itself is tested with a floor no disk reaches (BenchmarkFloorIT).
     */
    public static final String TEST_PACE = """
      benchmark: {minIops: 100, size: 16M, runtime: 2s, numJobs: 1}
      catchUp: {holdFor: 3s, pollEvery: 1s, deadline: 10m}
      """;

    /** A random replication password in {@code file} (mode 600), kept if the file exists. */
    public static Path replicationSecret(Path file) throws IOException {
        return secret(file);
    }

    /**
     * A random password in {@code file} (mode 600, 32 hexadecimal digits: MySQL keeps at most 32
     * characters of a replica's source password), kept if the file exists.
     */
    public static Path secret(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] bytes = new byte[16];
            new SecureRandom().nextBytes(bytes);
            Files.writeString(file, HexFormat.of().formatHex(bytes) + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    /** The lab's one admin password, for PostgreSQL's postgres and MySQL's or MariaDB's admin alike. */
    public static String adminPassword() {
        try {
            return Files.readString(Path.of(ADMIN_PASSWORD_FILE)).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + ADMIN_PASSWORD_FILE + ": " + e.getMessage(), e);
        }
    }
}
