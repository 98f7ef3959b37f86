package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchover.testkit.DemoDialect;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.worker.demo.DemoSummary;
import dev.switchover.workflows.spec.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole workflow on two lab hosts with the real activities, under a continuous writer: what
 * `make demo` does, with the checks an operator relies on asserted, on each PostgreSQL version the
 * lab has, and across versions by logical replication. Each migration has its own pair of hosts.
 */
class PostgresMigrationIT {
    private static final long ROWS = 50_000;

    /**
     * A migration: its name, hosts and method (null: the spec names none, physical), and the major
     * versions the two servers must report.
     */
    record Version(String migration, LabHost source, LabHost target, String method, int from, int to) {
        @Override
        public String toString() {
            return from == to ? "PostgreSQL " + from : "PostgreSQL " + from + " to " + to + " by " + method;
        }
    }

    static Stream<Version> versions() {
        return Stream.of(
                new Version("e2e", LabHost.E2ESRC, LabHost.E2EDST, null, 15, 15),
                new Version("e2e17", LabHost.E2E17S, LabHost.E2E17T, null, 17, 17),
                new Version("e2e18", LabHost.E2E18S, LabHost.E2E18T, null, 18, 18),
                new Version("e2el1", LabHost.E2EL1S, LabHost.E2EL1T, "logical", 15, 17),
                new Version("e2el2", LabHost.E2EL2S, LabHost.E2EL2T, "logical", 15, 18),
                new Version("e2el3", LabHost.E2EL3S, LabHost.E2EL3T, "auto", 17, 18));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void liveDatabaseMovesToTheTargetWithNothingLost(Version v) throws Exception {
        DemoSummary s = EndToEnd.migrate(Engine.POSTGRESQL, v.migration(), v.source(), v.target(), ROWS, v.method());
        EndToEnd.assertMovedWithNothingLost(s, v.target(), ROWS);
        assertEquals(v.from(), major(v.source()), "the source's server version");
        assertEquals(v.to(), major(v.target()), "the target's server version");
    }

    /** The major version the server on {@code host} reports: 170002 is 17.2. */
    private static int major(LabHost host) throws SQLException {
        DemoDialect db = DemoDialect.of(host.flavor(), LabSpec.adminPassword(), "");
        try (Connection c = db.admin(host.address());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1)) / 10_000;
        }
    }
}
