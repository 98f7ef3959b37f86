package dev.switchover.starter;

import dev.switchover.workflows.MigrationWorkflow;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "pause",
        description = {
            "Hold the migration in catch-up or at the cutover gate: no cutover happens until resumed.",
            "Time paused in catch-up does not count against its deadline."
        })
final class PauseCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "ID", description = "Workflow id (switchover-NAME) or migration name.")
    String id;

    @Option(
            names = "--by",
            defaultValue = "${env:USER:-operator}",
            paramLabel = "NAME",
            description = "Who asks (default: $USER, else operator).")
    String by;

    @Override
    public Integer call() {
        return OperatorRequest.send(
                connection, command.commandLine().getOut(), id, MigrationWorkflow.Names.PAUSE, "pause", by);
    }
}
