package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.DemoDialect;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.SetChecker;
import dev.switchover.testkit.SetWriter;
import dev.switchover.workflows.spec.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the MySQL and MariaDB end-to-end tests rely on before any migration, on the hosts of
 * {@link MySqlMigrationIT} and {@link MariaDbMigrationIT}: the seeded source, the application's
 * account and what it may do, the writer and the set checker, and the checks that tell a
 * writable primary from a read-only one.
 */
class MySqlDemoSetupIT {
    private static final long ROWS = 20_000;

    @ParameterizedTest
    @EnumSource(
            value = Engine.class,
            names = {"MYSQL", "MARIADB"})
    void applicationWritesToTheSourceUntilReadOnlyRefusesIt(Engine engine) throws Exception {
        LabPair lab = engine == Engine.MYSQL
                ? LabPair.up(LabHost.MYE2ES, LabHost.MYE2ET)
                : LabPair.up(LabHost.MDE2ES, LabHost.MDE2ET);
        String source = lab.sourceAddress();
        DemoDialect db = lab.dialect();
        lab.reset();
        lab.seedOrders(ROWS);
        lab.createWrites("writes");
        lab.createApp();

        LabPair.Fingerprint orders = lab.orders(source);
        assertEquals(ROWS, orders.rows());
        assertEquals(orders, lab.orders(source), "the checksum is the same on every read");
        assertTrue(lab.isPrimary(source));
        assertTrue(db.servesAsPrimary(source, lab.table("writes")), "the application can write to the source");
        assertFalse(db.refusesWrites(source, lab.table("writes")));
        applicationMayOnlyReadAndWriteShop(lab);

        SetWriter writer = lab.writer(() -> source, "writes", 2000);
        writer.start();
        Thread.sleep(3000);
        String readOnly = engine == Engine.MYSQL ? "super_read_only" : "read_only";
        try (Connection c = lab.connect(source);
                Statement st = c.createStatement()) {
            st.execute("SET GLOBAL " + readOnly + " = ON");
        }
        Thread.sleep(1000);
        writer.stop();

        SetChecker.Verdict v = SetChecker.check(writer.outcomes(), ids(lab, source));
        System.out.printf(
                "%s: acknowledged %d, failed %d, unknown %d, present %d%n",
                engine.id(), v.acknowledged(), v.failed(), v.unknown(), v.present());
        assertTrue(v.acknowledged() > 100, "the application kept writing: " + v.acknowledged());
        assertTrue(v.failed() > 0, "read_only refused the application's writes, and the writer saw it");
        assertTrue(
                v.valid(),
                "lost " + v.lost() + ", unexpected " + v.unexpected() + ", failed but present " + v.failedButPresent());
        assertFalse(lab.isPrimary(source), "a read-only server is no primary");
        assertTrue(db.refusesWrites(source, lab.table("writes")), readOnly + " refuses the application's writes");
        assertFalse(db.servesAsPrimary(source, lab.table("writes")));
    }

    private static void applicationMayOnlyReadAndWriteShop(LabPair lab) throws SQLException {
        try (Connection c = lab.app(lab.sourceAddress());
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + lab.table("orders"))) {
                rs.next();
                assertEquals(ROWS, rs.getLong(1));
            }
            st.executeUpdate("UPDATE " + lab.table("orders") + " SET amount = amount WHERE id = 1");
            st.executeUpdate("DELETE FROM " + lab.table("writes") + " WHERE id = -42");
            assertThrows(SQLException.class, () -> st.execute("CREATE TABLE " + lab.table("nope") + " (id INT)"));
            assertThrows(SQLException.class, () -> st.executeQuery("SELECT COUNT(*) FROM mysql.user"));
            assertThrows(SQLException.class, () -> st.execute("SET GLOBAL read_only = OFF"));
        }
    }

    private static Set<Long> ids(LabPair lab, String address) throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (Connection c = lab.connect(address);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id FROM " + lab.table("writes"))) {
            while (rs.next()) ids.add(rs.getLong(1));
        }
        return ids;
    }
}
