package dev.switchover.activities.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgBouncerIniTest {
    private static final String INI = String.join(
            "\n",
            ";; orders and its reporting twin",
            "[databases]",
            "; orders = host=10.0.0.1",
            "orders_ro = host=10.0.0.7 dbname=orders",
            "  orders  =  host=10.0.0.1   port=5433 dbname=orders pool_size=40",
            "",
            "[pgbouncer]",
            "orders = not a database line",
            "listen_port = 6432",
            "");

    @Test
    void findsTheDatabasesLineAndNotCommentsOrOtherSections() {
        PgBouncerIni.Entry e = new PgBouncerIni(INI).entry("orders");
        assertEquals(4, e.line());
        assertEquals("10.0.0.1", e.host());
        assertEquals("5433", e.port());
        assertNull(new PgBouncerIni(INI).entry("listen_port"));
        assertEquals("5432", new PgBouncerIni(INI).entry("orders_ro").port(), "PgBouncer's default port");
    }

    @Test
    void repointingChangesHostAndPortOfThatLineOnly() {
        String after = new PgBouncerIni(INI).pointedAt("orders", "10.0.0.2", 5432);
        List<String> before = List.of(INI.split("\n", -1));
        List<String> now = List.of(after.split("\n", -1));
        assertEquals(before.size(), now.size());
        for (int i = 0; i < before.size(); i++) {
            if (i != 4) assertEquals(before.get(i), now.get(i), "line " + i);
        }
        assertEquals("  orders = host=10.0.0.2 port=5432 dbname=orders pool_size=40", now.get(4));
        assertEquals(
                "host=10.0.0.7 dbname=orders port=5433",
                String.join(
                        " ",
                        new PgBouncerIni(INI)
                                .pointedAt("orders_ro", "10.0.0.7", 5433)
                                .split("\n")[3]
                                .split(" = ")[1]));
    }

    @Test
    void quotedConnectionStringsAreRefusedRatherThanGuessed() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> new PgBouncerIni("[databases]\norders = host=10.0.0.1 password='a b'\n").entry("orders"));
        assertTrue(e.getMessage().contains("quotes a value"), e.getMessage());
    }

    @Test
    void csvFromPsqlWithQuotedFields() {
        assertEquals(
                List.of(Map.of("name", "orders", "host", "10.0.0.1", "note", "a,\"b\"")),
                PgBouncerConsole.Csv.parse("name,host,note\norders,10.0.0.1,\"a,\"\"b\"\"\"\n"));
    }
}
