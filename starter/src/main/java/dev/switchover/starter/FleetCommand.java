package dev.switchover.starter;

import dev.switchover.workflows.AbortRequest;
import dev.switchover.workflows.fleet.FleetWorkflow;
import dev.switchover.workflows.fleet.WaveApproval;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchover fleet ...}: many databases in waves, each its own migration. */
@Command(
        name = "fleet",
        description = {
            "Many databases in waves, each a migration of its own (switchover-NAME).",
            "At most CONCURRENCY run at once; a failure stops its wave and every later wave by default."
        },
        subcommands = {
            FleetStartCommand.class,
            FleetStatusCommand.class,
            FleetCommand.Approve.class,
            FleetCommand.Abort.class
        })
final class FleetCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        command.commandLine().usage(command.commandLine().getErr());
        return ExitCodes.BAD_INPUT;
    }

    @Command(
            name = "approve",
            description = {
                "Approve a whole wave (fleets with approval: wave).",
                "Each of its migrations cuts over as it reaches the gate, in sync. Fleets approved per database take",
                "`switchover approve NAME` for each migration instead."
            })
    static final class Approve implements Callable<Integer> {
        @Spec
        CommandSpec command;

        @Mixin
        ConnectionOptions connection;

        @Parameters(paramLabel = "ID", description = "Fleet id (switchover-fleet-NAME) or fleet name.")
        String id;

        @Option(names = "--wave", required = true, paramLabel = "NAME", description = "The wave to approve.")
        String wave;

        @Option(
                names = "--by",
                defaultValue = "${env:USER:-operator}",
                paramLabel = "NAME",
                description = "Who approves (default: $USER, else operator).")
        String by;

        @Option(
                names = "--comment",
                paramLabel = "TEXT",
                description = "Why, e.g. a change ticket; kept in the history.")
        String comment;

        @Override
        public Integer call() {
            return OperatorRequest.send(
                    connection,
                    command.commandLine().getOut(),
                    client -> Fleets.find(client, id),
                    FleetWorkflow.Names.APPROVE_WAVE,
                    "wave approval",
                    new WaveApproval(wave, by, comment));
        }
    }

    @Command(
            name = "abort",
            description = {
                "Start no further migration of the fleet and abort the running ones; one past promotion finishes instead."
            })
    static final class Abort implements Callable<Integer> {
        @Spec
        CommandSpec command;

        @Mixin
        ConnectionOptions connection;

        @Parameters(paramLabel = "ID", description = "Fleet id (switchover-fleet-NAME) or fleet name.")
        String id;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; kept in the history.")
        String reason;

        @Option(
                names = "--by",
                defaultValue = "${env:USER:-operator}",
                paramLabel = "NAME",
                description = "Who aborts (default: $USER, else operator).")
        String by;

        @Override
        public Integer call() {
            return OperatorRequest.send(
                    connection,
                    command.commandLine().getOut(),
                    client -> Fleets.find(client, id),
                    FleetWorkflow.Names.ABORT,
                    "abort",
                    new AbortRequest(by, reason));
        }
    }
}
