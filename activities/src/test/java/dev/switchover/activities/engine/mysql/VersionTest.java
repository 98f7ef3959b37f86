package dev.switchover.activities.engine.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VersionTest {
    @Test
    void parsesWhatServersSay() {
        Version maria = Version.parse("10.11.19-MariaDB-0+deb12u1-log");
        assertEquals(10, maria.major());
        assertEquals(19, maria.patch());
        assertTrue(Version.parse("9.7.4-2").atLeast(8, 4, 0));
        assertEquals("RESET MASTER", Dialect.MYSQL.resetBinaryLogs(Version.parse("8.0.36")));
        assertEquals("RESET BINARY LOGS AND GTIDS", Dialect.MYSQL.resetBinaryLogs(Version.parse("8.4.3")));
        assertEquals("SHOW SLAVE STATUS", Dialect.MYSQL.replicaStatus(Version.parse("8.0.22")));
        assertEquals("Seconds_Behind_Master", Dialect.MARIADB.column(maria, "Seconds_Behind_Source"));
    }

    @Test
    void aReplicaMayBeNewerNotOlder() {
        assertNull(Version.parse("8.4.3").cannotReplicateFrom(Version.parse("8.0.36")));
        assertNotNull(Version.parse("8.0.36").cannotReplicateFrom(Version.parse("8.4.3")));
    }
}
