package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.engine.postgres.DataDirectoryGuard.Facts;
import dev.switchover.activities.engine.postgres.DataDirectoryGuard.Verdict;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataDirectoryGuardTest {
    static final String SOURCE = "7300000000000000001";
    static final String OTHER = "7300000000000000002";
    static final String DIR = "/var/lib/postgresql/15/main";
    static final String TARGET = LabHost.PGT.address();

    private static Facts facts(
            boolean exists,
            boolean empty,
            String sysid,
            Boolean inRecovery,
            List<String> userDbs,
            long userTables,
            String unfinishedOf) {
        return new Facts(DIR, exists, empty, sysid, inRecovery, userDbs, userTables, unfinishedOf);
    }

    private static Verdict wipe(Facts f) {
        Verdict v = DataDirectoryGuard.decide(SOURCE, TARGET, f);
        assertTrue(v.wipe(), v.reason());
        return v;
    }

    private static ApplicationFailure refused(String type, Facts f) {
        ApplicationFailure e =
                assertThrows(ApplicationFailure.class, () -> DataDirectoryGuard.decide(SOURCE, TARGET, f));
        assertEquals(type, e.getType(), e.getOriginalMessage());
        assertTrue(e.isNonRetryable());
        return e;
    }

    @Test
    void missingDirectoryMayBeFilled() {
        assertEquals(
                DIR + " is empty",
                wipe(facts(false, false, null, null, null, -1, null)).reason());
    }

    @Test
    void emptyDirectoryMayBeFilled() {
        wipe(facts(true, true, null, null, null, -1, null));
    }

    @Test
    void ourUnfinishedCopyMayBeReplaced() {
        // pg_basebackup writes global/pg_control last, so an unfinished copy usually has none.
        assertTrue(
                wipe(facts(true, false, null, null, null, -1, SOURCE)).reason().contains("unfinished copy"));
        assertTrue(wipe(facts(true, false, SOURCE, true, null, -1, SOURCE))
                .reason()
                .contains("unfinished copy"));
    }

    @Test
    void unfinishedMarkerDoesNotCoverAnotherClusterThatMovedIn() {
        // The marker sits beside the directory; a cluster created there since is not our copy.
        ApplicationFailure e =
                refused(Failures.WIPE_REFUSED, facts(true, false, OTHER, false, List.of("shop"), 3, SOURCE));
        assertTrue(e.getOriginalMessage().contains("[shop]"), e.getOriginalMessage());
    }

    @Test
    void standbyOfThisSourceMayBeRecopied() {
        assertTrue(
                wipe(facts(true, false, SOURCE, true, null, -1, null)).reason().contains("standby of this source"));
    }

    @Test
    void promotedCopyOfTheSourceIsTheWrongHost() {
        ApplicationFailure e = refused(Failures.WRONG_HOST, facts(true, false, SOURCE, false, List.of(), 0, null));
        assertTrue(e.getOriginalMessage().contains("not a standby"), e.getOriginalMessage());
    }

    @Test
    void freshClusterWithoutUserDataMayBeReplaced() {
        assertTrue(wipe(facts(true, false, OTHER, false, List.of(), 0, null))
                .reason()
                .contains("no user data"));
    }

    @Test
    void anotherClusterWithAUserDatabaseIsRefused() {
        ApplicationFailure e =
                refused(Failures.WIPE_REFUSED, facts(true, false, OTHER, false, List.of("shop"), 0, null));
        String m = e.getOriginalMessage();
        assertTrue(m.contains("refusing to empty " + DIR + " on " + TARGET), m);
        assertTrue(m.contains("databases [shop]"), m);
        assertTrue(m.contains(OTHER) && m.contains(SOURCE), m);
    }

    @Test
    void anotherClusterWithATableInPostgresIsRefused() {
        ApplicationFailure e = refused(Failures.WIPE_REFUSED, facts(true, false, OTHER, false, List.of(), 1, null));
        assertTrue(e.getOriginalMessage().contains("1 user tables"), e.getOriginalMessage());
    }

    @Test
    void anotherClusterThatCannotBeLookedIntoIsRefused() {
        ApplicationFailure e = refused(Failures.WIPE_REFUSED, facts(true, false, OTHER, false, null, -1, null));
        assertTrue(e.getOriginalMessage().contains("could not be checked"), e.getOriginalMessage());
    }

    @Test
    void directoryWithFilesButNoClusterIsRefused() {
        // Not empty, no control file, no marker of ours: somebody's files.
        refused(Failures.WIPE_REFUSED, facts(true, false, null, null, null, -1, null));
    }

    @Test
    void anotherMigrationsUnfinishedCopyIsNotOurs() {
        refused(Failures.WIPE_REFUSED, facts(true, false, null, null, null, -1, OTHER));
    }
}
