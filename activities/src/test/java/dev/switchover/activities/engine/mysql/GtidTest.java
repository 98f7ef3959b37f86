package dev.switchover.activities.engine.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GtidTest {
    @Test
    void mysqlSetsCountEveryInterval() {
        assertEquals(0, MySqlGtidSet.count(""));
        assertEquals(0, MySqlGtidSet.count(null));
        assertEquals(5, MySqlGtidSet.count("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"));
        assertEquals(
                5 + 8 + 1,
                MySqlGtidSet.count("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11-18,\n"
                        + "5a7c9b2e-71ca-11e1-9e33-c80aa9429562:7"));
        assertEquals(
                3,
                MySqlGtidSet.count("3e11fa47-71ca-11e1-9e33-c80aa9429562:nightly:1-3"),
                "a tag is not a transaction");
    }

    @Test
    void mariadbPositionsCompareByDomain() {
        var target = MariaDbGtidPosition.parse("0-121-57,1-122-3");
        assertTrue(target.covers(MariaDbGtidPosition.parse("0-121-57")));
        assertTrue(target.covers(MariaDbGtidPosition.parse("0-121-40,1-121-3")), "the server id does not matter");
        assertFalse(target.covers(MariaDbGtidPosition.parse("0-121-58")));
        assertFalse(target.covers(MariaDbGtidPosition.parse("2-121-1")), "a domain the target never saw");
        assertTrue(target.covers(MariaDbGtidPosition.parse("")));
        assertEquals(3 + 1, target.missingFrom(MariaDbGtidPosition.parse("0-121-60,2-121-1")));
    }

    @Test
    void mariadbTransactionsOfTheTargetsOwnAreErrant() {
        assertEquals(List.of(), MariaDbGtidPosition.errant("0-121-57", "0-121-57", "0-121-57"));
        assertEquals(List.of(), MariaDbGtidPosition.errant("0-121-57,1-121-9", "0-121-40"), "behind is not errant");
        assertEquals(List.of("0-122-58"), MariaDbGtidPosition.errant("0-121-57", "0-122-58", "0-121-57"));
        assertEquals(
                List.of("0-122-57"),
                MariaDbGtidPosition.errant("0-121-57", "0-122-57"),
                "the same seq_no written by another server");
        assertEquals(
                List.of("5-122-1"),
                MariaDbGtidPosition.errant("0-121-57", "0-121-57,5-122-1"),
                "a domain the source never wrote");
        assertTrue(MariaDbGtidPosition.same("0-121-57,1-121-3", "1-121-3, 0-121-57"));
        assertFalse(MariaDbGtidPosition.same("0-121-57", "0-121-58"));
        assertFalse(MariaDbGtidPosition.same("0-121-57", "0-121-57,1-121-3"));
    }

    @Test
    void fenceAccountsReadBackAsWritten() {
        var tricky = new FenceAccounts.Account("o'brien\\x", "10.%");
        assertEquals(tricky, FenceAccounts.parse(tricky.sql()));
        assertEquals(new FenceAccounts.Account("", "localhost"), FenceAccounts.parse("''@'localhost'"));
    }

    @Test
    void theLastReadOnlyOptionWins() {
        assertTrue(ReadOnlyDropIn.readOnlyLast("--log_bin=binlog\n--read_only=ON\n"));
        assertFalse(ReadOnlyDropIn.readOnlyLast("--read_only=ON\n--skip-read-only\n"));
        assertFalse(ReadOnlyDropIn.readOnlyLast("--read-only=ON\n--read_only=0\n"));
        assertTrue(ReadOnlyDropIn.readOnlyLast("--loose-read-only\n"));
        assertFalse(ReadOnlyDropIn.readOnlyLast(""));
    }
}
