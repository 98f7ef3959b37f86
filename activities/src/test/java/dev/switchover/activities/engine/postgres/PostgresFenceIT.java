package dev.switchover.activities.engine.postgres;

import static dev.switchover.activities.engine.postgres.PgPair.failsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.OneWriterSampler;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.PromotionResult;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The fence against clients that do anything PostgreSQL allows them: an application role and a
 * superuser that is not switchover's, logging in from another address than the worker's
 * ({@link LabHost#CLIENT_ADDRESS}), turning the read-only default off in every way a session can, and the postgres OS
 * user over the source's own socket; the source's server restarted while fenced; promotion only
 * on proof. The pair: pgs (source) and pgt (target), as the other PostgreSQL ITs.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:pgs+pgt")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresFenceIT {
    private static final String APP_PASSWORD = "app-pw-1";
    private static final String DBA_PASSWORD = "dba-pw-1";
    static PgPair lab;
    static String client;
    static String originalHba;

    @BeforeAll
    static void up() {
        lab = PgPair.fresh("it-fence");
        client = lab.source.get("CLIENT_ADDRESS");
        for (var host : List.of(lab.source, lab.target)) {
            // The application's host and the DBA's desk: another machine than the worker.
            lab.sh(
                    host,
                    "sh",
                    "-c",
                    "printf 'host all app,dba %s/32 scram-sha-256\\n' " + client
                            + " >> /etc/postgresql/15/main/pg_hba.conf");
        }
        lab.execute(lab.source, "SELECT pg_reload_conf()");
        lab.execute(lab.source, "CREATE ROLE app LOGIN PASSWORD '" + APP_PASSWORD + "'");
        lab.execute(lab.source, "CREATE ROLE dba LOGIN SUPERUSER PASSWORD '" + DBA_PASSWORD + "'");
        lab.execute(lab.source, "CREATE TABLE probe (id bigint PRIMARY KEY, door text)");
        lab.execute(lab.source, "GRANT INSERT, SELECT ON probe TO app");
        lab.engine.prepareSource(lab.spec);
        lab.engine.baseCopy(lab.spec, new PgPair.Recording());
        lab.execute(lab.target, "SELECT pg_reload_conf()");
        originalHba = hba();
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    static String hba() {
        return lab.sh(lab.source, "cat", "/etc/postgresql/15/main/pg_hba.conf");
    }

    /** Every way in this test knows, from the client address. */
    static List<OneWriterSampler.Door> doors() {
        String url = "jdbc:postgresql://%s:5432/postgres?connectTimeout=2&socketTimeout=5";
        String pgoptions = url + "&options="
                + java.net.URLEncoder.encode(
                        "-c default_transaction_read_only=off", java.nio.charset.StandardCharsets.UTF_8);
        String off = "SET default_transaction_read_only = off";
        return List.of(
                new OneWriterSampler.Door("app", url, "app", APP_PASSWORD, client, null, null),
                new OneWriterSampler.Door("app-set-off", url, "app", APP_PASSWORD, client, off, null),
                new OneWriterSampler.Door(
                        "app-begin-read-write", url, "app", APP_PASSWORD, client, "BEGIN READ WRITE", "COMMIT"),
                new OneWriterSampler.Door("app-pgoptions", pgoptions, "app", APP_PASSWORD, client, null, null),
                new OneWriterSampler.Door(
                        "dba-superuser",
                        url,
                        "dba",
                        DBA_PASSWORD,
                        client,
                        off + "; SET transaction_read_only = off",
                        null));
    }

    /** An insert as the postgres OS user over the host's own socket, as a DBA on the host does it. */
    static CommandResult localSuperuserInsert(long id) {
        return lab.run(
                lab.source,
                Command.of(
                                "psql",
                                "-X",
                                "-v",
                                "ON_ERROR_STOP=1",
                                "-c",
                                "SET default_transaction_read_only = off; INSERT INTO probe VALUES (" + id
                                        + ", 'local')")
                        .asUser("postgres"));
    }

    @Test
    @Order(1)
    void everyDoorIsShutFromTheFreezeAcrossARestartAndOpenAgainAfterTheUnfreeze() throws Exception {
        try (OneWriterSampler sampler = new OneWriterSampler("probe", 1_000)) {
            sampler.start("source", lab.source.address(), doors());
            assertTrue(
                    PgPair.eventually(
                            java.time.Duration.ofSeconds(30),
                            () -> sampler.acksOn("source").stream()
                                            .map(OneWriterSampler.Ack::door)
                                            .distinct()
                                            .count()
                                    == doors().size()),
                    "every door writes before the freeze");

            FrozenSource f = lab.engine.freezeWrites(lab.spec);
            long frozenAt = System.nanoTime();
            // A door between a lost session and its next login has none to end.
            assertTrue(f.sessionsEnded() >= 1, f.toString());
            CommandResult local = localSuperuserInsert(1);
            assertFalse(local.ok(), "the postgres OS user over the socket: " + local.stdout());
            assertTrue(local.stderr().contains("pg_hba.conf rejects connection"), local.stderr());

            lab.restart(lab.source);
            assertFalse(localSuperuserInsert(2).ok(), "after a restart of the source's server");
            Thread.sleep(1_000); // every door tries ~50 times against the restarted server
            List<OneWriterSampler.Ack> after = sampler.acksOn("source").stream()
                    .filter(a -> a.sentNanos() > frozenAt)
                    .toList();
            assertEquals(List.of(), after, "writes the fenced source acknowledged");

            lab.engine.unfreezeWrites(lab.spec);
            assertEquals(originalHba, hba(), "pg_hba.conf is byte for byte as before the freeze");
            long unfrozenAt = System.nanoTime();
            // Each door on its own time: one that lost its session logs in again before it writes.
            java.util.function.Supplier<Set<String>> reopened = () -> sampler.acksOn("source").stream()
                    .filter(a -> a.atNanos() > unfrozenAt)
                    .map(OneWriterSampler.Ack::door)
                    .collect(Collectors.toSet());
            PgPair.eventually(
                    java.time.Duration.ofSeconds(30), () -> reopened.get().size() == doors().size());
            assertEquals(
                    doors().size(),
                    reopened.get().size(),
                    "every door writes again after the unfreeze: " + reopened.get());
        }
        assertTrue(localSuperuserInsert(3).ok(), "the socket login is back too");
        lab.engine.unfreezeWrites(lab.spec); // idempotent
    }

    @Test
    @Order(2)
    void promotionIsRefusedWhenTheFenceWasTakenDownByHand() {
        FrozenSource f = lab.engine.freezeWrites(lab.spec);
        lab.ssh(lab.source).writeFile("/etc/postgresql/15/main/pg_hba.conf", originalHba, null, null);
        var refusal = failsWith(Failures.SOURCE_NOT_FENCED, () -> lab.engine.promote(lab.spec, f));
        assertTrue(refusal.getOriginalMessage().contains(lab.source.address()), refusal.getOriginalMessage());
        assertEquals("t", lab.one(lab.target, "SELECT pg_is_in_recovery()"), "nothing was promoted");
        lab.engine.unfreezeWrites(lab.spec);
    }

    @Test
    @Order(3)
    void promotionIsRefusedWhileTheSourceCannotBeReached() {
        FrozenSource f = lab.engine.freezeWrites(lab.spec);
        lab.sh(lab.source, "sh", "-c", lab.source.get("PG_STOP_CMD"));
        try {
            var refusal = failsWith(Failures.SOURCE_UNREACHABLE, () -> lab.engine.promote(lab.spec, f));
            assertTrue(refusal.getOriginalMessage().contains("Nothing was promoted"), refusal.getOriginalMessage());
            assertEquals("t", lab.one(lab.target, "SELECT pg_is_in_recovery()"), "still a standby");
        } finally {
            lab.sh(lab.source, "sh", "-c", lab.source.get("PG_START_CMD"));
        }
        lab.engine.unfreezeWrites(lab.spec);
    }

    @Test
    @Order(4)
    void oneWriterAtEveryInstantThroughFreezeRestartAndPromotionAndNothingLost() throws Exception {
        long frozenAt;
        OneWriterSampler sampler = new OneWriterSampler("probe", 1_000_000);
        try (sampler) {
            sampler.start("source", lab.source.address(), doors());
            sampler.start("target", lab.target.address(), doors());
            waitForAcks(sampler, "source", 50);

            FrozenSource f = lab.engine.freezeWrites(lab.spec);
            frozenAt = System.nanoTime();
            lab.restart(lab.source); // a crash or a supervisor's restart, right after the freeze
            lab.engine.verifySync(lab.spec, f, new PgPair.Recording());
            PromotionResult p = lab.engine.promote(lab.spec, f);
            assertFalse(p.alreadyPromoted(), p.toString());
            assertTrue(p.detail().contains("slot switchover_it_fence dropped"), p.detail());
            waitForAcks(sampler, "target", 50);
        }
        // Read once every door has stopped: an insert in flight at the stop is attempted, maybe present.
        List<OneWriterSampler.Ack> acks = sampler.acks();
        Set<Long> attempted = sampler.attempted();
        List<OneWriterSampler.Ack> onSource =
                acks.stream().filter(a -> a.server().equals("source")).toList();
        List<OneWriterSampler.Ack> onTarget =
                acks.stream().filter(a -> a.server().equals("target")).toList();
        assertEquals(
                List.of(),
                onSource.stream().filter(a -> a.sentNanos() > frozenAt).toList(),
                "the source acknowledged writes after the freeze");
        long lastOnSource =
                onSource.stream().mapToLong(OneWriterSampler.Ack::atNanos).max().orElseThrow();
        long firstOnTarget = onTarget.stream()
                .mapToLong(OneWriterSampler.Ack::sentNanos)
                .min()
                .orElseThrow();
        assertTrue(
                lastOnSource < firstOnTarget,
                "two writable servers at once: the target acknowledged a write "
                        + (lastOnSource - firstOnTarget) / 1_000_000 + " ms before the source's last");

        // Jepsen's set check on the new primary: lost and unexpected both empty.
        Set<Long> present = new HashSet<>();
        try (PgSession t = lab.admin(lab.target)) {
            t.rows("SELECT id FROM probe WHERE id >= 1000000").forEach(r -> present.add(Long.parseLong(r.get(0))));
        }
        Set<Long> lost = acks.stream()
                .map(OneWriterSampler.Ack::id)
                .filter(id -> !present.contains(id))
                .collect(Collectors.toSet());
        Set<Long> unexpected =
                present.stream().filter(id -> !attempted.contains(id)).collect(Collectors.toSet());
        assertEquals(Set.of(), lost, "acknowledged writes missing on the new primary (of " + acks.size() + ")");
        assertEquals(Set.of(), unexpected, "rows nobody wrote");
        assertFalse(localSuperuserInsert(9).ok(), "the old source stays fenced after the promotion");

        String retired = lab.engine.retireOldSource(lab.spec, null);
        assertTrue(
                retired.contains("replication rule removed")
                        && retired.contains("role replicator dropped")
                        && retired.contains("still fenced"),
                retired);
        String hba = hba();
        assertFalse(PgHba.hasMarker(hba, lab.spec.name()), "the copy's access rule is gone");
        assertTrue(PgFence.isFenced(hba, lab.spec.name()), "the fence stays");
        assertEquals(null, lab.one(lab.source, "SELECT 1 FROM pg_roles WHERE rolname = 'replicator'"));
        assertFalse(localSuperuserInsert(10).ok(), "still fenced after the clean-up");
    }

    @Test
    @Order(5)
    void aPromotionRetriedWhileTheOldSourceIsDownNeitherWaitsNorFails() {
        FrozenSource f = new FrozenSource("0/0", 0, lab.systemIdentifier(lab.target));
        lab.sh(lab.source, "sh", "-c", lab.source.get("PG_STOP_CMD"));
        try {
            long started = System.nanoTime();
            PromotionResult again = lab.engine.promote(lab.spec, f);
            assertTrue(again.alreadyPromoted(), again.toString());
            assertTrue(again.detail().contains("could not be asked to drop the slot"), again.detail());
            assertThrows(RuntimeException.class, () -> lab.engine.retireOldSource(lab.spec, null));
            assertTrue(System.nanoTime() - started < 20_000_000_000L, "neither waits long on the dead old source");
        } finally {
            lab.sh(lab.source, "sh", "-c", lab.source.get("PG_START_CMD"));
        }
    }

    /**
     * The operator's way out when the source is gone for good: promotion on the target's own proof
     * (a copy of the source holding the freeze's final position), on a fresh standby.
     */
    @Test
    @Order(6)
    void withTheSourceGoneTheOperatorMayPromoteOnTheTargetsOwnProof() {
        lab.engine.unfreezeWrites(lab.spec);
        lab.engine.prepareSource(lab.spec);
        dev.switchover.testkit.Lab.reset(LabHost.PGT.hostName());
        lab.engine.baseCopy(lab.spec, new PgPair.Recording());
        lab.execute(lab.source, "INSERT INTO probe VALUES (-1, 'the last write before the freeze')");
        FrozenSource f = lab.engine.freezeWrites(lab.spec);
        lab.engine.verifySync(lab.spec, f, new PgPair.Recording());
        assertFalse(lab.engine.targetPromoted(lab.spec), "a standby does not take writes");
        lab.sh(lab.source, "sh", "-c", lab.source.get("PG_STOP_CMD"));
        try {
            failsWith(Failures.SOURCE_UNREACHABLE, () -> lab.engine.promote(lab.spec, f));
            assertFalse(lab.engine.targetPromoted(lab.spec), "nothing was promoted");
            PromotionResult r = lab.engine.promoteWithoutSource(lab.spec, f);
            assertTrue(lab.engine.targetPromoted(lab.spec));
            assertFalse(r.alreadyPromoted(), r.toString());
            assertTrue(
                    r.detail().contains("without the source's proof")
                            && r.detail().contains("must never serve as a primary"),
                    r.detail());
            assertEquals("f", lab.one(lab.target, "SELECT pg_is_in_recovery()"));
            assertEquals(
                    "1", lab.one(lab.target, "SELECT count(*) FROM probe WHERE id = -1"), "the last write is there");
            assertTrue(lab.engine.promoteWithoutSource(lab.spec, f).alreadyPromoted(), "a retry finds it done");
        } finally {
            lab.sh(lab.source, "sh", "-c", lab.source.get("PG_START_CMD"));
        }
    }

    private static void waitForAcks(OneWriterSampler sampler, String server, int atLeast) {
        assertTrue(
                PgPair.eventually(
                        java.time.Duration.ofSeconds(30),
                        () -> sampler.acksOn(server).size() >= atLeast),
                server + " acknowledged " + sampler.acksOn(server).size() + " writes, wanted " + atLeast);
    }
}
