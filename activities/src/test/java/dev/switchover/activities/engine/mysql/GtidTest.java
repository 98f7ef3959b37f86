package dev.switchover.activities.engine.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GtidTest {
  @Test
  void mysqlSetsCountEveryInterval() {
    assertEquals(0, MySqlGtidSet.count(""));
    assertEquals(0, MySqlGtidSet.count(null));
    assertEquals(5, MySqlGtidSet.count("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"));
    assertEquals(5 + 8 + 1, MySqlGtidSet.count("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11-18,\n"
        + "5a7c9b2e-71ca-11e1-9e33-c80aa9429562:7"));
    assertEquals(3, MySqlGtidSet.count("3e11fa47-71ca-11e1-9e33-c80aa9429562:nightly:1-3"), "a tag is not a transaction");
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
}
