package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgFenceTest {
    static final String FILE = "# comment\n\nlocal all postgres peer\nhost all all 10.0.0.0/8 scram-sha-256\n";
    static final PgFence.AdminDoor DOOR =
            new PgFence.AdminDoor("postgres", LabHost.WORKER_ADDRESS, true, "scram-sha-256");

    @Test
    void theBlockComesBeforeEveryRuleAndAdmitsOnlyTheWorkersAdminLogin() {
        String fenced = PgFence.withFence(FILE, "shop", DOOR);
        assertEquals(
                "# comment\n\n" + PgFence.begin("shop") + "\nhostssl all postgres " + LabHost.WORKER_ADDRESS
                        + "/32 scram-sha-256\n"
                        + "local all all reject\nhost all all all reject\n" + PgFence.end("shop") + "\n"
                        + "local all postgres peer\nhost all all 10.0.0.0/8 scram-sha-256\n",
                fenced);
        assertTrue(PgFence.isFenced(fenced, "shop"));
        assertFalse(PgFence.isFenced(fenced, "other"), "another migration's fence is not this one's");
        assertEquals(fenced, PgFence.withFence(fenced, "shop", DOOR), "raising it twice changes nothing");
    }

    @Test
    void loweringRestoresTheFileExactly() {
        assertEquals(FILE, PgFence.withoutFence(PgFence.withFence(FILE, "shop", DOOR), "shop"));
        assertEquals(FILE, PgFence.withoutFence(FILE, "shop"), "nothing to lower");
    }

    @Test
    void aRuleAboveTheBlockOrAnEditedBlockIsNoFence() {
        String fenced = PgFence.withFence(FILE, "shop", DOOR);
        assertFalse(PgFence.isFenced("host all all all trust\n" + fenced, "shop"), "a rule matched before the fence");
        assertFalse(PgFence.isFenced(fenced.replace("host all all all reject", "host all all all trust"), "shop"));
        assertFalse(PgFence.isFenced(fenced.replace(PgFence.end("shop"), ""), "shop"), "no end marker");
    }

    @Test
    void anMd5VerifierOrAPlainConnectionIsAdmittedAsItCameIn() {
        assertEquals(
                "host all ops 2001:db8::5/128 md5", new PgFence.AdminDoor("ops", "2001:db8::5", false, "md5").line());
    }

    /**
     * A logical copy's subscriptions log in to their databases, which "all" matches: the freeze
     * admits each as a door of its own. A target closed until promotion is a block of its own kind.
     */
    @Test
    void doorsForLogicalReplicationAndATargetClosedUntilPromotion() {
        List<String> doors = List.of("hostssl shop replicator 198.18.0.47/32 scram-sha-256");
        String fenced = PgFence.withFence(FILE, PgFence.Marks.freeze("shop"), DOOR, doors);
        assertTrue(PgFence.isFenced(fenced, "shop"), fenced);
        assertTrue(fenced.contains(
                "scram-sha-256\nhostssl shop replicator 198.18.0.47/32 scram-sha-256\nlocal all all reject"));
        assertEquals(FILE, PgFence.withoutFence(fenced, "shop"));

        String closed = PgFence.withFence(FILE, PgFence.Marks.closed("shop"), DOOR, List.of());
        assertTrue(PgFence.isFenced(closed, PgFence.Marks.closed("shop")));
        assertFalse(PgFence.isFenced(closed, "shop"), "closing the target is not the source's freeze");
        assertTrue(closed.contains("takes no client logins until promotion"), closed);
        assertFalse(
                PgFence.isFenced(fenced.replace("local all all reject", "host shop app 10.0.0.1/32 trust"), "shop"),
                "a door that does not authenticate");
    }
}
