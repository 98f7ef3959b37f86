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
        name = "resume",
        description = {"Let a paused migration continue."})
final class ResumeCommand implements Callable<Integer> {
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
                connection, command.commandLine().getOut(), id, MigrationWorkflow.Names.RESUME, "resume", by);
    }
}
