package dev.switchover.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchover.workflows.spec.Engine;
import java.util.List;
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
        assertEquals(LabFlavor.POSTGRES15, db.flavor());
        assertEquals("demo_orders", db.ordersTable());
        assertEquals("demo_writes", db.writesTable());
        assertEquals("orders", db.table("orders"));
    }

    @Test
    void aPostgresDialectIsOfTheFlavorItWasMadeFor() {
        for (LabFlavor f : List.of(LabFlavor.POSTGRES15, LabFlavor.POSTGRES17, LabFlavor.POSTGRES18)) {
            assertEquals(f, DemoDialect.of(f, "admin-secret", "unused").flavor());
        }
        assertEquals(
                LabFlavor.POSTGRES18,
                LabHost.E2E18S.flavor().dialect("admin-secret", "unused").flavor());
    }

    @Test
    void theApplicationPasswordGoesIntoDdlOnlyWhenItIsPlain() {
        DemoDialect db = DemoDialect.of(Engine.MYSQL, "admin-secret", "x' OR '1");
        assertThrows(IllegalArgumentException.class, () -> db.createApp(null));
    }
}
