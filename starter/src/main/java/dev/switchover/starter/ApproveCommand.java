package dev.switchover.starter;

import dev.switchover.workflows.Approval;
import dev.switchover.workflows.MigrationWorkflow;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "approve",
        description = {
            "Open the cutover gate.",
            "Refused unless the migration is in AWAIT_CUTOVER and the target is in sync; the workflow re-checks",
            "lag before it freezes writes."
        })
final class ApproveCommand implements Callable<Integer> {
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
            description = "Who approves (default: $USER, else operator).")
    String by;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why, e.g. a change ticket; kept in the history.")
    String comment;

    @Override
    public Integer call() {
        return OperatorRequest.send(
                connection,
                command.commandLine().getOut(),
                id,
                MigrationWorkflow.Names.APPROVE,
                "approval",
                new Approval(by, comment));
    }
}
