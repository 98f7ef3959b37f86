package dev.switchover.activities.engine.postgres;

import static dev.switchover.activities.engine.postgres.PgPair.failsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabFlavor;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/** Preflight against pgs and pgt: what it reports on a healthy pair and what it refuses. */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:pgs+pgt")
class PostgresPreflightIT {
    static PgPair lab;

    @TempDir
    Path tmp;

    @BeforeAll
    static void up() {
        lab = PgPair.fresh("it-preflight"); // preflight looks inside the target too
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    @Test
    void healthyPairPassesWithBothVersionsAndNothingToChange() {
        PreflightReport r = lab.engine.preflight(lab.spec);
        assertTrue(r.sourceVersion().startsWith("15."), r.sourceVersion());
        assertTrue(r.targetVersion().contains("15."), r.targetVersion());
        assertEquals(PgPair.DATA_DIR, r.sourceDataDirectory());
        assertEquals(PgPair.DATA_DIR, r.targetDataDirectory());
        assertTrue(r.sourceSizeBytes() > 0 && r.targetFreeBytes() > r.sourceSizeBytes(), r.toString());
        assertEquals(java.util.List.of(), r.settingsToChange(), "Debian's defaults already replicate");
        assertTrue(
                r.checks().stream().allMatch(c -> c.verdict() == Check.Verdict.OK),
                r.checks().toString());
    }

    /** The copy's guard, asked in preflight: somebody's data on the target is refused before anything changes. */
    @Test
    void aTargetHoldingSomebodysDataIsRefusedInPreflight() {
        lab.execute(lab.target, "CREATE DATABASE precious");
        try {
            ApplicationFailure f = failsWith(Failures.WIPE_REFUSED, () -> lab.engine.preflight(lab.spec));
            assertTrue(
                    f.getOriginalMessage()
                            .contains("refusing to empty " + PgPair.DATA_DIR + " on " + lab.target.address()),
                    f.getOriginalMessage());
            assertTrue(f.getOriginalMessage().contains("[precious]"), f.getOriginalMessage());
            assertEquals(
                    "1",
                    lab.one(lab.target, "SELECT count(*) FROM pg_database WHERE datname = 'precious'"),
                    "untouched");
        } finally {
            lab.execute(lab.target, "DROP DATABASE precious");
        }
        assertTrue(lab.engine.preflight(lab.spec).checks().stream()
                .anyMatch(c -> c.name().equals("target data") && c.detail().contains("no user data")));
    }

    /**
     * A replication role that already exists keeps its password through prepare-source: one that is
     * not the spec's is found in preflight from its stored verifier (SCRAM or md5), not at the copy.
     */
    @Test
    void anExistingReplicationRoleWithAnotherPasswordIsRefusedInPreflight() throws Exception {
        String user = lab.spec.replication().user();
        lab.execute(lab.source, "CREATE ROLE " + user + " LOGIN REPLICATION PASSWORD 'not-the-specs'");
        try {
            ApplicationFailure f = failsWith(Failures.PREFLIGHT_FAILED, () -> lab.engine.preflight(lab.spec));
            assertTrue(
                    f.getOriginalMessage()
                            .contains("the role " + user + " exists on the source " + lab.source.address()
                                    + " with another password than replication.password"),
                    f.getOriginalMessage());
            // An md5 verifier, as older servers and password_encryption = md5 store it.
            String md5 = "md5"
                    + java.util.HexFormat.of()
                            .formatHex(java.security.MessageDigest.getInstance("MD5")
                                    .digest(("still-not" + user).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            lab.execute(lab.source, "ALTER ROLE " + user + " PASSWORD '" + md5 + "'");
            assertTrue(lab.one(lab.source, "SELECT rolpassword FROM pg_authid WHERE rolname = ?", user)
                    .startsWith("md5"));
            failsWith(Failures.PREFLIGHT_FAILED, () -> lab.engine.preflight(lab.spec));

            lab.execute(lab.source, "ALTER ROLE " + user + " PASSWORD '" + lab.replicationPassword + "'");
            assertTrue(lab.engine.preflight(lab.spec).checks().stream()
                    .anyMatch(c -> c.name().equals("replication role")
                            && c.detail().equals(user + " exists with the spec's password")));
        } finally {
            lab.execute(lab.source, "DROP ROLE " + user);
        }
    }

    @Test
    void targetDataDirectoryIsAskedOfTheServerWhenTheSpecOmitsIt() {
        String yaml = lab.yaml(lab.spec.name());
        int target = yaml.indexOf("\ntarget:\n");
        MigrationSpec spec = PgPair.spec(
                yaml.substring(0, target) + yaml.substring(target).replaceFirst("\n    dataDirectory: [^\n]*", ""));
        assertNull(spec.target().database().dataDirectory(), "the spec omits the target's data directory");
        assertEquals(PgPair.DATA_DIR, lab.engine.targetDataDirectory(spec));
    }

    @Test
    void settingsThatNeedARestartFailPreflightWithTheExactFix() {
        // wal_level minimal also requires max_wal_senders = 0; both take effect only at a restart.
        lab.execute(lab.source, "ALTER SYSTEM SET wal_level = 'minimal'");
        lab.execute(lab.source, "ALTER SYSTEM SET max_wal_senders = 0");
        lab.restart(lab.source);
        try {
            assertEquals("minimal", lab.one(lab.source, "SHOW wal_level"));
            ApplicationFailure f = failsWith(Failures.NEEDS_RESTART, () -> lab.engine.preflight(lab.spec));
            String m = f.getOriginalMessage();
            assertTrue(m.contains("ALTER SYSTEM SET wal_level = 'replica';"), m);
            assertTrue(m.contains("ALTER SYSTEM SET max_wal_senders = '10';"), m);
            assertTrue(m.contains("wal_level is minimal, needs replica"), m);
            assertTrue(m.contains("pg_ctlcluster 15 main stop / pg_ctlcluster 15 main start"), m);
            assertTrue(m.contains("cutover.allowSourceRestart"), m);
        } finally {
            lab.execute(lab.source, "ALTER SYSTEM RESET wal_level");
            lab.execute(lab.source, "ALTER SYSTEM RESET max_wal_senders");
            lab.restart(lab.source);
        }
        assertEquals("replica", lab.one(lab.source, "SHOW wal_level"), "the source is restored");
    }

    /**
     * A physical copy cannot cross major versions: a target prepared for PostgreSQL 17 (its data
     * directory a 17 cluster, or only 17 installed) is refused naming both versions and what to
     * change, before anything on either host is touched.
     */
    @Test
    void aTargetOfAnotherMajorVersionIsRefusedNamingBoth() {
        Lab pg17 = LabHost.PGT17.up();
        String yaml = lab.yaml("it-preflight");
        int at = yaml.indexOf("\ntarget:\n") + 1;
        int end = yaml.indexOf("replication:\n");
        String toPg17 = yaml.substring(0, at)
                + LabSpec.host("target", pg17.address(), LabFlavor.POSTGRES17)
                + yaml.substring(end);
        String m = failsWith(Failures.PREFLIGHT_FAILED, () -> lab.engine.preflight(PgPair.spec(toPg17)))
                .getOriginalMessage();
        assertTrue(m.contains("the source " + lab.source.address() + " runs PostgreSQL 15."), m);
        assertTrue(m.contains("its data directory /var/lib/postgresql/17/main holds a PostgreSQL 17 cluster"), m);
        assertTrue(m.contains("install postgresql-15 on the target"), m);
        assertTrue(m.contains("Moving to PostgreSQL 17 needs logical replication"), m);
        assertEquals("t", lab.one(lab.target, "SELECT true"), "nothing happened to the pair");

        // Pointed at a 15 cluster the host cannot have: it has only 17 installed.
        String to15Dir = toPg17.replace("/var/lib/postgresql/17/main", PgPair.DATA_DIR);
        m = failsWith(Failures.PREFLIGHT_FAILED, () -> lab.engine.preflight(PgPair.spec(to15Dir)))
                .getOriginalMessage();
        assertTrue(m.contains("it has only PostgreSQL 17 installed"), m);
        assertTrue(m.contains("Moving to PostgreSQL 17 needs logical replication"), m);
    }

    @Test
    void unknownHostKeyFailsPreflightWithHostKeyRejected() throws Exception {
        // The lab's own known_hosts, without the source's line.
        Path knownHosts = tmp.resolve("known_hosts");
        String others = Files.readString(Path.of(lab.source.get("SSH_KNOWN_HOSTS")))
                .lines()
                .filter(l -> !l.startsWith(lab.source.address() + " "))
                .reduce("", (a, l) -> a + l + "\n");
        Files.writeString(knownHosts, others);
        MigrationSpec spec = PgPair.spec(lab.yaml("it-preflight")
                .replaceFirst("knownHosts: " + lab.source.get("SSH_KNOWN_HOSTS"), "knownHosts: " + knownHosts));
        ApplicationFailure f = failsWith(Failures.HOST_KEY_REJECTED, () -> lab.engine.preflight(spec));
        assertTrue(f.getOriginalMessage().contains(lab.source.address()), f.getOriginalMessage());
    }

    @Test
    void wrongAdminPasswordIsBadCredentials() throws Exception {
        Path wrong = tmp.resolve("wrong-password");
        Files.writeString(wrong, "not-the-password\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
        MigrationSpec spec = PgPair.spec(
                lab.yaml("it-preflight").replaceFirst("adminPassword: file:\\S+", "adminPassword: file:" + wrong));
        ApplicationFailure f = failsWith(Failures.BAD_CREDENTIALS, () -> lab.engine.preflight(spec));
        assertTrue(f.getOriginalMessage().contains("postgres@" + lab.source.address()), f.getOriginalMessage());
    }

    @Test
    void missingReplicationSecretIsRefusedBeforeAnyHostIsTouched() {
        try (Hosts empty = new Hosts(new SecretResolver(Map.of()))) {
            ApplicationFailure f =
                    failsWith(Failures.SECRET_UNAVAILABLE, () -> new PostgresEngine(empty).preflight(lab.spec));
            assertTrue(f.getOriginalMessage().contains("env:" + PgPair.PASSWORD_VARIABLE), f.getOriginalMessage());
        }
    }
}
