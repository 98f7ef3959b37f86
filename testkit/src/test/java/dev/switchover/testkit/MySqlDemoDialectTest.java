package dev.switchover.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchover.workflows.spec.Engine;
import org.junit.jupiter.api.Test;

class MySqlDemoDialectTest {
    @Test
    void tablesLiveInTheShopDatabase() {
        DemoDialect db = DemoDialect.of(Engine.MARIADB, "admin-secret", "appSecret123456");
        assertEquals(LabFlavor.MARIADB, db.flavor());
        assertEquals("shop.orders", db.ordersTable());
        assertEquals("shop.writes", db.writesTable());
        assertEquals("shop.t", db.table("t"));
    }

    @Test
    void postgresKeepsTheDemosOwnTables() {
        DemoDialect db = DemoDialect.of(Engine.POSTGRESQL, "admin-secret", "unused");
        assertEquals("demo_orders", db.ordersTable());
        assertEquals("demo_writes", db.writesTable());
        assertEquals("orders", db.table("orders"));
    }

    @Test
    void theApplicationPasswordGoesIntoDdlOnlyWhenItIsPlain() {
        DemoDialect db = DemoDialect.of(Engine.MYSQL, "admin-secret", "x' OR '1");
        assertThrows(IllegalArgumentException.class, () -> db.createApp(null));
    }
}
