package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.MigrationActivitiesImpl;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.MigrationLaunch;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.MigrationWorkflowImpl;
import dev.switchover.workflows.SwitchoverQueues;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A target whose disk is below the floor stops the migration before anything changes: measured
 * by real fio on a lab host, against a floor no disk here reaches.
 */
class BenchmarkFloorIT {
    private static final LabHost SOURCE = LabHost.E2ESRC;
    private static final LabHost TARGET = LabHost.E2EDST;

    @Test
    void slowTargetDiskStopsTheMigrationBeforeTheSourceIsTouched() throws Exception {
        Lab.run("up", SOURCE.hostName() + ":" + SOURCE.address(), TARGET.hostName() + ":" + TARGET.address());
        // Fresh servers: preflight refuses a target that an earlier test promoted, before any benchmark.
        Lab.run("reset", SOURCE.hostName(), TARGET.hostName());
        Path dir = Files.createTempDirectory("switchover-floor");
        Path secret = dir.resolve("replication-password");
        Files.writeString(secret, "floor-secret-1\n");
        MigrationSpec spec = SpecLoader.parse(
                """
        name: floor
        engine: postgresql
        source:
        %starget:
        %sreplication: {user: floor_replicator, password: "file:%s"}
        benchmark: {minIops: 100000000, size: 32M, runtime: 3s, numJobs: 1}
        report: {directory: %s}
        """.formatted(LabSpec.hostSpec(SOURCE.address()), LabSpec.hostSpec(TARGET.address()), secret, dir),
                "floor spec");

        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            Worker worker = env.newWorker(SwitchoverQueues.TASK_QUEUE);
            worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class);
            worker.registerActivitiesImplementations(MigrationActivitiesImpl.fromEnvironment());
            env.start();
            WorkflowClient client = env.getWorkflowClient();
            MigrationWorkflow wf = MigrationLaunch.start(client, spec);
            WorkflowFailedException e = assertThrows(
                    WorkflowFailedException.class,
                    () -> WorkflowStub.fromTyped(wf).getResult(MigrationResult.class));
            ApplicationFailure f = assertInstanceOf(ApplicationFailure.class, e.getCause());
            assertEquals(Failures.IOPS_BELOW_FLOOR, f.getType());
            assertTrue(f.getOriginalMessage().contains("below the floor of 100000000"), f.getOriginalMessage());
        }

        try (Connection c = connect(SOURCE.address());
                Statement st = c.createStatement()) {
            assertNull(one(st, "SELECT rolname FROM pg_roles WHERE rolname = 'floor_replicator'"), "no role created");
            assertNull(
                    one(st, "SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'switchover_floor'"),
                    "no slot created");
            assertEquals(
                    "0",
                    one(st, "SELECT count(*) FROM pg_hba_file_rules WHERE 'floor_replicator' = ANY(user_name)"),
                    "no pg_hba rule added");
        }
        String hba = Lab.run("exec", SOURCE.hostName(), "cat", "/etc/postgresql/15/main/pg_hba.conf");
        assertFalse(hba.contains("switchover:floor"), "no marker in pg_hba.conf");
    }

    private static Connection connect(String address) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", LabSpec.adminPassword());
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":5432/postgres", p);
    }

    private static String one(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
