package dev.switchover.starter;

import dev.switchover.workflows.spec.DurationText;
import io.temporal.client.WorkflowNotFoundException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The operator's CLI. {@link #commandLine()} builds it; the launcher adds its own verbs (the
 * worker) and calls {@code execute(args)}, whose result is the process's exit code.
 */
@Command(
        name = "switchover",
        // --help and --version on every verb, the launcher's own included.
        scope = CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = SwitchoverCli.Version.class,
        description = "Move a live database to a new server by replication switchover, as a Temporal workflow.",
        subcommands = {
            StartCommand.class,
            StatusCommand.class,
            ApproveCommand.class,
            AbortCommand.class,
            PromoteWithoutSourceCommand.class,
            PauseCommand.class,
            ResumeCommand.class,
            ListCommand.class,
            ValidateCommand.class,
            ScheduleCommand.class,
            FleetCommand.class
        },
        footer = {
            "",
            "Exit codes: 0 done, 1 failed/aborted/refused/unreachable, 2 bad input (usage, invalid spec, unknown id),",
            "3 start started nothing (a migration of the spec already completed).",
            "Temporal: --address or TEMPORAL_ADDRESS, else 127.0.0.1:7233 (`./switchover worker` runs one there)."
        })
public final class SwitchoverCli implements Callable<Integer> {
    @Spec
    CommandSpec command;

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SwitchoverCli());
        cli.registerConverter(Duration.class, DurationText::parse);
        cli.setParameterExceptionHandler(new UsageErrors());
        cli.setExecutionExceptionHandler(new Failures());
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** {@code switchover} alone: the usage, as a usage error. */
    @Override
    public Integer call() {
        command.commandLine().usage(command.commandLine().getErr());
        return ExitCodes.BAD_INPUT;
    }

    /** A wrong flag or a missing argument: what is wrong, then the verb's usage; exit 2. */
    private static final class UsageErrors implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException e, String[] args) {
            CommandLine cli = e.getCommandLine();
            PrintWriter err = cli.getErr();
            err.println("switchover: " + e.getMessage());
            if (!UnmatchedArgumentException.printSuggestions(e, err)) cli.usage(err);
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
    }

    /** Messages, not stack traces: the operator gets what went wrong and what to do. */
    private static final class Failures implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
            PrintWriter err = cli.getErr();
            int code;
            if (e instanceof CliFailure f) {
                err.println("switchover: " + f.getMessage());
                code = f.exitCode();
            } else if (e instanceof WorkflowNotFoundException) {
                err.println("switchover: no such migration: " + FailureText.grpcReason(e));
                code = ExitCodes.BAD_INPUT;
            } else {
                err.println(
                        "switchover: " + cli.getCommandName() + " failed: " + String.join("; ", FailureText.chain(e))
                                + (FailureText.grpcCause(e) == null ? "" : " (" + FailureText.grpcReason(e) + ")"));
                if (System.getenv("SWITCHOVER_DEBUG") != null) e.printStackTrace(err);
                else err.println("switchover: set SWITCHOVER_DEBUG=1 for the stack trace");
                code = ExitCodes.FAILED;
            }
            err.flush();
            return code;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SwitchoverCli.class.getPackage().getImplementationVersion();
            return new String[] {"switchover " + (v == null ? "(development build)" : v)};
        }
    }
}
