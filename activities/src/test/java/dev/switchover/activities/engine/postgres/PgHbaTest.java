package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import org.junit.jupiter.api.Test;

class PgHbaTest {
    static final String TARGET = LabHost.PGT.address();
    static final String RULE = "host replication replicator " + TARGET + "/32 scram-sha-256";
    static final String MARKER = PgHba.marker("orders");

    /** The shape of Debian's pg_hba.conf: a comment header, then the rules. */
    static final String DEBIAN = """
      # PostgreSQL Client Authentication Configuration File
      # ===================================================
      #
      # TYPE  DATABASE        USER            ADDRESS                 METHOD

      # Database administrative login by Unix domain socket
      local   all             postgres                                peer
      local   all             all                                     peer
      host    all             all             127.0.0.1/32            scram-sha-256
      host    replication     all             0.0.0.0/0               reject
      """;

    private static String add(String content) {
        return PgHba.withRule(content, "orders", "replicator", TARGET);
    }

    @Test
    void ruleGoesBeforeTheFirstRuleSoNoBroaderRuleShadowsIt() {
        String out = add(DEBIAN);
        String header = DEBIAN.substring(0, DEBIAN.indexOf("local   all             postgres"));
        assertEquals(header + MARKER + "\n" + RULE + "\n" + DEBIAN.substring(header.length()), out);
    }

    @Test
    void addingTwiceChangesNothingTheSecondTime() {
        String once = add(DEBIAN);
        assertEquals(once, add(once));
        assertEquals(1, once.lines().filter(RULE::equals).count());
    }

    @Test
    void ruleWrittenWithOtherSpacingOrATrailingCommentCountsAsPresent() {
        String byHand =
                DEBIAN + "host \t replication   replicator\t" + TARGET + "/32    scram-sha-256   # for the migration\n";
        assertTrue(PgHba.hasRule(byHand, "replicator", TARGET));
        assertEquals(byHand, add(byHand), "not added a second time");
    }

    @Test
    void similarRulesAreNotOurs() {
        assertFalse(
                PgHba.hasRule(DEBIAN + "host replication replicator " + TARGET + "/32 md5\n", "replicator", TARGET));
        assertFalse(PgHba.hasRule(
                DEBIAN + "host replication replicator " + LabHost.NETWORK + " scram-sha-256\n", "replicator", TARGET));
        assertFalse(PgHba.hasRule(DEBIAN + "# " + RULE + "\n", "replicator", TARGET), "commented out");
        // An address the target's begins with.
        String prefix = TARGET.substring(0, TARGET.length() - 1);
        assertFalse(PgHba.hasRule(
                DEBIAN + "host replication replicator " + prefix + "/32 scram-sha-256\n", "replicator", TARGET));
    }

    @Test
    void removingTakesBackExactlyWhatAddingAdded() {
        assertEquals(DEBIAN, PgHba.withoutRule(add(DEBIAN), "orders", "replicator", TARGET));
    }

    @Test
    void removingLeavesAnIdenticalRuleTheOperatorHadWithoutOurMarker() {
        String own = DEBIAN + RULE + "\n";
        assertEquals(own, add(own), "present already: nothing added, so nothing marked");
        assertFalse(PgHba.hasMarker(own, "orders"));
        assertEquals(own, PgHba.withoutRule(own, "orders", "replicator", TARGET));
    }

    @Test
    void removingKeepsTheLineAfterTheMarkerWhenItIsNotOurRule() {
        // Someone deleted our rule by hand and left the marker above one of theirs.
        String edited = add(DEBIAN).replace(RULE + "\n", "");
        String out = PgHba.withoutRule(edited, "orders", "replicator", TARGET);
        assertEquals(DEBIAN, out);
    }

    @Test
    void removingAnotherMigrationsMarkerIsNotOurs() {
        String other = PgHba.withRule(DEBIAN, "billing", "replicator", TARGET);
        assertFalse(PgHba.hasMarker(other, "orders"));
        assertEquals(other, PgHba.withoutRule(other, "orders", "replicator", TARGET));
    }

    @Test
    void fileWithOnlyCommentsGetsTheRuleAtTheEnd() {
        String comments = "# nothing here yet\n\n";
        assertEquals(comments + MARKER + "\n" + RULE + "\n", add(comments));
        assertEquals(MARKER + "\n" + RULE + "\n", add(""));
    }

    @Test
    void fileWithoutAFinalNewlineGetsOne() {
        String noNewline = "local all all peer";
        assertEquals(MARKER + "\n" + RULE + "\n" + noNewline + "\n", add(noNewline));
    }

    @Test
    void ruleAdmitsTheTargetAloneWhateverKindOfAddressItHas() {
        assertEquals("host replication replicator " + TARGET + "/32 scram-sha-256", PgHba.rule("replicator", TARGET));
        assertEquals(
                "host replication replicator 2001:db8::42/128 scram-sha-256", PgHba.rule("replicator", "2001:db8::42"));
        // pg_hba takes no mask after a host name.
        assertEquals(
                "host replication replicator db2.example.com scram-sha-256",
                PgHba.rule("replicator", "db2.example.com"));
    }
}
