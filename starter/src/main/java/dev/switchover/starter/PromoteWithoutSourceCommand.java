package dev.switchover.starter;

import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.OperatorDecision;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "promote-without-source",
        description = {
            "While promotion is held because the source cannot be reached: promote the target anyway.",
            "The source was fenced when last seen and the target holds the freeze's final position; never start the",
            "old source as a primary again. Refused at any other time."
        })
final class PromoteWithoutSourceCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "ID", description = "Workflow id (switchover-NAME) or migration name.")
    String id;

    @Option(
            names = "--reason",
            required = true,
            paramLabel = "TEXT",
            description = "Why; kept in the history and the report.")
    String reason;

    @Option(
            names = "--by",
            defaultValue = "${env:USER:-operator}",
            paramLabel = "NAME",
            description = "Who decides (default: $USER, else operator).")
    String by;

    @Override
    public Integer call() {
        return OperatorRequest.send(
                connection,
                command.commandLine().getOut(),
                id,
                MigrationWorkflow.Names.PROMOTE_WITHOUT_SOURCE,
                "promotion without the source",
                new OperatorDecision(by, reason));
    }
}
