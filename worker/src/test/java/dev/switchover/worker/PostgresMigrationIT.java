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
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole workflow on two lab hosts with the real activities, under a continuous writer: what
 * `make demo` does, with the checks an operator relies on asserted, on each PostgreSQL version the
 * lab has. Each version has its own pair of hosts, so the three run side by side.
 */
@Execution(ExecutionMode.CONCURRENT)
class PostgresMigrationIT {
    private static final long ROWS = 50_000;

    /** A version's migration: its name and hosts, and the major version both servers must report. */
    record Version(String migration, LabHost source, LabHost target, int major) {
        @Override
        public String toString() {
            return "PostgreSQL " + major;
        }
    }

    static Stream<Version> versions() {
        return Stream.of(
                new Version("e2e", LabHost.E2ESRC, LabHost.E2EDST, 15),
                new Version("e2e17", LabHost.E2E17S, LabHost.E2E17T, 17),
                new Version("e2e18", LabHost.E2E18S, LabHost.E2E18T, 18));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void liveDatabaseMovesToTheTargetWithNothingLost(Version v) throws Exception {
        DemoSummary s = EndToEnd.migrate(Engine.POSTGRESQL, v.migration(), v.source(), v.target(), ROWS);
        EndToEnd.assertMovedWithNothingLost(s, v.target(), ROWS);
        assertEquals(v.major(), major(v.source()), "the source's server version");
        assertEquals(v.major(), major(v.target()), "the target's server version");
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
