package dev.switchover.activities.engine.postgres;

import static dev.switchover.activities.engine.postgres.PgPair.failsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * prepare-source and its undo on pgs: the replication role, the one pg_hba line for pgt and the
 * slot; what a second run finds, and that undo takes back exactly what was added.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:pgs+pgt")
class PostgresPrepareSourceIT {
    static final String RULE = "host replication replicator " + LabHost.PGT.address() + "/32 scram-sha-256";
    static final String SLOT = "switchover_it_prepare";

    static PgPair lab;
    static String hbaFile;
    static String originalHba;

    @BeforeAll
    static void up() {
        lab = PgPair.fresh("it-prepare"); // preflight looks inside the target too
        hbaFile = lab.one(lab.source, "SHOW hba_file");
        originalHba = lab.ssh(lab.source).readFile(hbaFile);
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    /** Each test starts from the lab's source as created: no role, slot or rule of ours. */
    @BeforeEach
    void cleanSource() {
        lab.execute(lab.source, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots");
        lab.execute(lab.source, "DROP ROLE IF EXISTS replicator");
        lab.ssh(lab.source).writeFile(hbaFile, originalHba, null, null);
        lab.execute(lab.source, "SELECT pg_reload_conf()");
    }

    private static String hba() {
        return lab.ssh(lab.source).readFile(hbaFile);
    }

    /** Lines equal to our rule in pg_hba's own terms: the same tokens, whatever the spacing. */
    private static long ruleLines(String content) {
        List<String> rule = List.of(RULE.split(" "));
        return content.lines()
                .map(String::strip)
                .filter(l -> !l.startsWith("#"))
                .filter(l -> List.of(l.split("\\s+")).equals(rule))
                .count();
    }

    private static boolean slotExists() {
        return lab.one(lab.source, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", SLOT) != null;
    }

    @Test
    void createsAReplicationRoleWhoseScramPasswordWorksFromTheTarget() {
        SourcePreparation p = lab.engine.prepareSource(lab.spec);
        assertTrue(p.createdRole() && p.addedHbaLine() && p.createdSlot(), p.toString());

        assertEquals(
                "true true",
                lab.one(
                        lab.source,
                        "SELECT rolreplication::text || ' ' || rolcanlogin::text FROM pg_roles WHERE rolname = 'replicator'"));
        assertTrue(
                lab.one(lab.source, "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'")
                        .startsWith("SCRAM-SHA-256$"),
                "stored as a SCRAM verifier");

        CommandResult login = lab.replicationLoginFromTarget("replicator", lab.replicationPassword);
        assertEquals(0, login.exitCode(), login.toString());
        assertTrue(login.stdout().startsWith(lab.systemIdentifier(lab.source) + "|"), login.stdout());

        CommandResult wrong = lab.replicationLoginFromTarget("replicator", "not-" + lab.replicationPassword);
        assertFalse(wrong.ok());
        assertTrue(wrong.stderr().contains("password authentication failed"), wrong.stderr());
    }

    @Test
    void runningItTwiceLeavesOneHbaLineOneSlotAndTheSameState() {
        SourcePreparation first = lab.engine.prepareSource(lab.spec);
        String afterFirst = hba();
        SourcePreparation second = lab.engine.prepareSource(lab.spec);

        assertTrue(first.createdRole() && first.addedHbaLine() && first.createdSlot(), first.toString());
        assertFalse(second.createdRole() || second.addedHbaLine() || second.createdSlot(), second.toString());
        assertEquals(afterFirst, hba(), "the second run did not touch pg_hba.conf");
        assertEquals(1, ruleLines(hba()));
        assertEquals(1, hba().lines().filter(PgHba.marker("it-prepare")::equals).count());
        assertEquals("1", lab.one(lab.source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", SLOT));
        assertEquals("1", lab.one(lab.source, "SELECT count(*) FROM pg_roles WHERE rolname = 'replicator'"));
        assertEquals(
                "1", lab.one(lab.source, "SELECT count(*) FROM pg_hba_file_rules WHERE 'replicator' = ANY(user_name)"));

        // The rule comes before every rule the file had, so none of them can shadow it.
        List<String> rules = hba().lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertEquals(RULE, rules.get(0).replaceAll("\\s+", " "));
        // The password is the spec's after the second run too.
        assertEquals(
                0,
                lab.replicationLoginFromTarget("replicator", lab.replicationPassword)
                        .exitCode());
    }

    @Test
    void undoRemovesTheSlotTheMarkedLineAndTheRoleItCreated() {
        SourcePreparation p = lab.engine.prepareSource(lab.spec);
        lab.engine.undoPrepareSource(lab.spec, p);

        assertFalse(slotExists());
        assertNull(lab.one(lab.source, "SELECT 1 FROM pg_roles WHERE rolname = 'replicator'"));
        assertEquals(originalHba, hba(), "pg_hba.conf is byte for byte what it was");
        assertEquals(
                "0",
                lab.one(lab.source, "SELECT count(*) FROM pg_hba_file_rules WHERE 'replicator' = ANY(user_name)"),
                "the server reloaded the file");

        lab.engine.undoPrepareSource(lab.spec, p); // an undo retried after it succeeded
        assertEquals(originalHba, hba());
    }

    @Test
    void undoLeavesARoleThatExistedBeforeAlone() {
        try (PgSession s = lab.admin(lab.source)) {
            s.execute("CREATE ROLE replicator WITH REPLICATION LOGIN");
            s.setScramPassword("replicator", dev.switchover.activities.secrets.Secret.of(lab.replicationPassword));
        }
        String verifier = lab.one(lab.source, "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'");

        SourcePreparation p = lab.engine.prepareSource(lab.spec);
        assertFalse(p.createdRole());
        assertTrue(
                p.notes().stream().anyMatch(n -> n.contains("kept the existing role replicator")),
                p.notes().toString());
        assertEquals(
                verifier,
                lab.one(lab.source, "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'"),
                "its password was not changed");

        lab.engine.undoPrepareSource(lab.spec, p);
        assertEquals(
                verifier,
                lab.one(lab.source, "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'"),
                "the role is still there, with its password");
        assertFalse(slotExists());
        assertEquals(originalHba, hba());
    }

    @Test
    void anExistingRoleWithoutReplicationIsRefusedBeforeAnythingChanges() {
        lab.execute(lab.source, "CREATE ROLE replicator WITH LOGIN");
        ApplicationFailure f = failsWith(Failures.PREFLIGHT_FAILED, () -> lab.engine.prepareSource(lab.spec));
        assertTrue(f.getOriginalMessage().contains("ALTER ROLE replicator REPLICATION LOGIN"), f.getOriginalMessage());
        assertEquals(originalHba, hba());
        assertFalse(slotExists());
    }

    @Test
    void settingsThatNeedARestartAreAppliedByRestartingTheSourceWhenTheSpecAllowsIt() {
        lab.execute(lab.source, "ALTER SYSTEM SET wal_level = 'minimal'");
        lab.execute(lab.source, "ALTER SYSTEM SET max_wal_senders = 0");
        lab.restart(lab.source);
        MigrationSpec allowed =
                PgPair.spec(lab.yaml("it-prepare").replace("allowSourceRestart: false", "allowSourceRestart: true"));
        try {
            SourcePreparation p = lab.engine.prepareSource(allowed);
            assertEquals(
                    List.of("wal_level", "max_wal_senders"),
                    p.changedSettings().stream().map(SettingChange::name).toList());
            assertTrue(p.changedSettings().stream().allMatch(SettingChange::needsRestart));
            assertEquals("replica", lab.one(lab.source, "SHOW wal_level"));
            assertEquals("10", lab.one(lab.source, "SHOW max_wal_senders"));
            assertTrue(slotExists());
            assertEquals(
                    0,
                    lab.replicationLoginFromTarget("replicator", lab.replicationPassword)
                            .exitCode());

            SourcePreparation again = lab.engine.prepareSource(allowed);
            assertEquals(List.of(), again.changedSettings(), "nothing left to change, so no second restart");
        } finally {
            lab.execute(lab.source, "ALTER SYSTEM RESET wal_level");
            lab.execute(lab.source, "ALTER SYSTEM RESET max_wal_senders");
            lab.restart(lab.source);
        }
    }

    /**
     * What preflight saw is not what prepare-source meets: here every replication slot was taken in
     * between (as sessions took the free WAL senders in a trial), so one more needs a restart. The
     * spec forbids it: a clear stop, and the live source neither restarted nor changed at all.
     */
    @Test
    void aRestartNeededSincePreflightIsRefusedWhenTheSpecForbidsItAndNothingIsChanged() {
        lab.engine.preflight(lab.spec);
        String startedAt = lab.one(lab.source, "SELECT pg_postmaster_start_time()::text");
        int max = Integer.parseInt(lab.one(lab.source, "SHOW max_replication_slots"));
        for (int i = 0; i < max; i++)
            lab.execute(lab.source, "SELECT pg_create_physical_replication_slot('taken_" + i + "')");
        ApplicationFailure f = failsWith(Failures.NEEDS_RESTART, () -> lab.engine.prepareSource(lab.spec));
        String m = f.getOriginalMessage();
        assertTrue(
                m.contains("max_replication_slots")
                        && m.contains("allowSourceRestart: true")
                        && m.contains("Nothing was changed"),
                m);
        assertEquals(startedAt, lab.one(lab.source, "SELECT pg_postmaster_start_time()::text"), "not restarted");
        assertEquals(originalHba, hba(), "no access rule added");
        assertEquals(
                null, lab.one(lab.source, "SELECT 1 FROM pg_roles WHERE rolname = 'replicator'"), "no role created");
        String autoConf = lab.sh(lab.source, "cat", PgPair.DATA_DIR + "/postgresql.auto.conf");
        assertFalse(autoConf.contains("max_replication_slots"), autoConf);
    }

    /**
     * The slot holds every WAL segment the target has not received; measureLag says how much, and
     * how much the source's WAL volume has free, and undo gives the space back at once.
     */
    @Test
    void theWalTheSlotHoldsIsMeasuredAndUndoGivesItBack() {
        lab.execute(lab.source, "ALTER SYSTEM SET max_wal_size = '64MB'");
        lab.execute(lab.source, "ALTER SYSTEM SET min_wal_size = '32MB'");
        lab.execute(lab.source, "SELECT pg_reload_conf()");
        try {
            SourcePreparation p = lab.engine.prepareSource(lab.spec);
            lab.execute(lab.source, "CREATE TABLE IF NOT EXISTS ballast (b text)");
            for (int i = 0; i < 4; i++) {
                lab.execute(
                        lab.source,
                        "INSERT INTO ballast SELECT repeat(md5(g::text), 30) FROM generate_series(1, 40000) g");
                lab.execute(lab.source, "CHECKPOINT"); // without the slot, these segments would go now
            }
            var held = lab.engine.measureLag(lab.spec);
            assertTrue(held.retainedBytes() != null && held.retainedBytes() > 150L << 20, held.toString());
            assertTrue(held.sourceFreeBytes() != null && held.sourceFreeBytes() > 0, held.toString());
            long walBefore = walBytes();
            assertTrue(walBefore > 150L << 20, "pg_wal holds " + walBefore);

            lab.engine.undoPrepareSource(lab.spec, p);
            long walAfter = walBytes();
            assertTrue(
                    walAfter < 100L << 20,
                    "pg_wal after the slot was dropped: " + walAfter + " (was " + walBefore + ")");
        } finally {
            lab.execute(lab.source, "DROP TABLE IF EXISTS ballast");
            lab.execute(lab.source, "ALTER SYSTEM RESET max_wal_size");
            lab.execute(lab.source, "ALTER SYSTEM RESET min_wal_size");
            lab.execute(lab.source, "SELECT pg_reload_conf()");
        }
    }

    private static long walBytes() {
        return Long.parseLong(
                lab.sh(lab.source, "du", "-sb", PgPair.DATA_DIR + "/pg_wal").split("\\s+")[0]);
    }
}
