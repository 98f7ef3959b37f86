package dev.switchover.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetWriterTest {
    @Test
    void readOnlyRefusalsAndConstraintsWereNotApplied() {
        assertTrue(SetWriter.definitelyNotApplied(new SQLException("read-only transaction", "25006")), "PostgreSQL");
        assertTrue(SetWriter.definitelyNotApplied(new SQLException("--super-read-only", "HY000", 1290)), "MySQL");
        assertTrue(SetWriter.definitelyNotApplied(new SQLException("duplicate key", "23505")));
        assertTrue(SetWriter.definitelyNotApplied(new SQLException("Duplicate entry", "23000", 1062)));
    }

    @Test
    void brokenConnectionsAndKilledStatementsLeaveTheWriteUnknown() {
        assertFalse(SetWriter.definitelyNotApplied(new SQLException("Communications link failure", "08S01")));
        assertFalse(SetWriter.definitelyNotApplied(new SQLException("terminating connection", "57P01")));
        assertFalse(SetWriter.definitelyNotApplied(new SQLException("Query execution was interrupted", "70100", 1317)));
        assertFalse(SetWriter.definitelyNotApplied(new SQLException("Connection was killed", "70100", 1927)));
        assertFalse(SetWriter.definitelyNotApplied(new SQLTransientConnectionException("timeout", "HY000")));
        assertFalse(SetWriter.definitelyNotApplied(new SQLException("no state")));
    }

    @Test
    void theGapAroundAnEventIsTheLongestOneOverlappingIt() {
        List<SetWriter.Ack> acks = List.of(
                new SetWriter.Ack(1, 0),
                new SetWriter.Ack(2, 900),
                new SetWriter.Ack(3, 1000),
                new SetWriter.Ack(4, 1300),
                new SetWriter.Ack(5, 1350),
                new SetWriter.Ack(6, 2000));
        assertEquals(900, SetWriter.longestGapNanos(acks, Long.MIN_VALUE, Long.MAX_VALUE), "the whole run");
        assertEquals(300, SetWriter.longestGapNanos(acks, 1100, 1200), "the gap the event fell into");
        assertEquals(650, SetWriter.longestGapNanos(acks, 1000, 1400), "the gaps that began or ended in it");
        assertEquals(0, SetWriter.longestGapNanos(acks, 3000, 4000), "no acknowledgement around it");
    }
}
