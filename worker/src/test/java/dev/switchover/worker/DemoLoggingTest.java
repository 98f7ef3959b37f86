package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import dev.switchover.testkit.LabHost;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class DemoLoggingTest {
    @TempDir
    Path dir;

    private final PrintStream err = System.err;

    @AfterEach
    void restore() throws Exception {
        System.setErr(err);
        // Back to the worker's own logback.xml for the tests after this one.
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(context);
        c.doConfigure(getClass().getResource("/logback.xml"));
    }

    @Test
    void theTerminalShowsThePhasesAndErrorsAndTheFileHasEverything() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(context);
        c.doConfigure(getClass().getResource("/logback.xml")); // what the jar runs with
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        System.setErr(new PrintStream(terminal, true, StandardCharsets.UTF_8));
        Path log = dir.resolve("demo.log");
        DemoLogging.quiet(log);

        LoggerFactory.getLogger("dev.switchover.workflows.MigrationWorkflowImpl")
                .info("phase=BASE_COPY started");
        LoggerFactory.getLogger("dev.switchover.activities.ssh.RemoteHost")
                .info(LabHost.SRC.address() + ": ran pg_basebackup");
        LoggerFactory.getLogger("org.mariadb.jdbc.message.server.ErrorPacket").warn("Error: 1290 read-only");
        LoggerFactory.getLogger("dev.switchover.activities.engine.postgres.PostgresEngine")
                .error("promotion failed");

        String shown = terminal.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("phase=BASE_COPY started"), shown);
        assertTrue(shown.contains("promotion failed"), shown);
        assertFalse(shown.contains("pg_basebackup"), shown);
        assertFalse(shown.contains("read-only"), shown);
        String all = Files.readString(log);
        for (String line :
                new String[] {"phase=BASE_COPY started", "ran pg_basebackup", "read-only", "promotion failed"}) {
            assertTrue(all.contains(line), line + " in\n" + all);
        }
        assertTrue(shown.lines().filter(l -> l.contains("phase=BASE_COPY")).count() == 1, "once\n" + shown);
    }
}
