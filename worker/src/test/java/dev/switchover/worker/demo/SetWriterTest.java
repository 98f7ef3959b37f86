package dev.switchover.worker.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
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
}
