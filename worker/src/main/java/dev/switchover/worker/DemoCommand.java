package dev.switchover.worker;

import dev.switchover.worker.demo.DemoRun;
import dev.switchover.worker.demo.DemoSummary;
import dev.switchover.workflows.spec.Engine;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run a real migration between two local lab hosts (network namespaces with sshd and PostgreSQL 15,"
                    + " MySQL 9 or MariaDB 10.11, in 198.18.0.0/24), under a continuous writer, with an embedded Temporal.",
            "Needs root on Linux and the lab's packages (make deps). The last line is a JSON summary."
        })
final class DemoCommand implements Callable<Integer> {
    static final class EngineConverter implements picocli.CommandLine.ITypeConverter<Engine> {
        @Override
        public Engine convert(String value) {
            return Engine.of(value);
        }
    }

    @Option(
            names = "--rows",
            defaultValue = "200000",
            description = "Rows to put on the source (default ${DEFAULT-VALUE}).")
    long rows;

    @Option(
            names = "--engine",
            defaultValue = "postgresql",
            converter = EngineConverter.class,
            description = "postgresql (hosts src/dst, .11/.12), mysql (mysrc/mydst, .13/.14) or mariadb (mdsrc/mddst,"
                    + " .15/.16); default ${DEFAULT-VALUE}.")
    Engine engine;

    @Option(
            names = "--dir",
            defaultValue = "/tmp/switchover-demo",
            description = "Work directory (default ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")
                || !"root".equals(System.getProperty("user.name"))) {
            System.err.println(
                    "switchover demo: the lab's hosts are Linux network namespaces, which need root on Linux;"
                            + " run `sudo make demo` on a Debian machine.");
            return 1;
        }
        // The demo's lab driver and ledger writer are the test kit's, which the production jar
        // does not carry: ./switchover puts it beside the jar in the repository.
        if (DemoCommand.class.getClassLoader().getResource("dev/switchover/testkit/Lab.class") == null) {
            System.err.println(
                    "switchover demo: the demo runs from the switchover repository, with its test kit"
                            + " (the lab's driver and the ledger writer), which this jar does not carry; run `make demo` there.");
            return 1;
        }
        DemoRun.Options options = DemoRun.Options.of(engine, rows, dir);
        java.nio.file.Files.createDirectories(dir);
        Path log = dir.resolve("demo.log");
        DemoLogging.quiet(log);
        System.out.println(
                "demo: the migration's phases below; the worker's full log (SSH commands, the writer's refused"
                        + " writes at the freeze) is in " + log);
        DemoSummary s = new DemoRun(options, line -> System.out.println("demo: " + line)).run();
        System.out.println();
        System.out.printf(
                "rows on source / target      %d / %d (checksums %s)%n",
                s.rowsOnSource(), s.rowsOnTarget(), s.checksumsMatch() ? "match" : "DIFFER");
        System.out.printf(
                "writes acknowledged / lost   %d / %d (unexpected %d, unknown %d)%n",
                s.acknowledgedWrites(), s.lostWrites(), s.unexpectedWrites(), s.unknownWrites());
        System.out.printf("writer's longest pause       %.2f s%n", s.downtimeSeconds());
        System.out.printf(
                "new primary                  %s; old source read-only: %s%n",
                s.targetPrimary(), s.sourceRefusesWrites());
        System.out.printf("report                       %s%n", s.report());
        System.out.println(s.json());
        return s.ok() ? 0 : 1;
    }
}
