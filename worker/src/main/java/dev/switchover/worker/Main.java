package dev.switchover.worker;

import dev.switchover.starter.SwitchoverCli;
import dev.switchover.starter.resident.ResidentClient;
import java.util.OptionalInt;
import java.util.Set;
import picocli.CommandLine;

/** The `./switchover` launcher: the operator's CLI plus the `worker` verb. */
public final class Main {
    private Main() {}

    /**
     * Verbs that ask the server something and print the answer: they log nothing an operator needs
     * (their words go to stdout and stderr), and setting up logback (an XML configuration, some 650
     * classes) was a third of each call's start.
     */
    private static final Set<String> QUICK = Set.of(
            "status",
            "list",
            "approve",
            "abort",
            "pause",
            "resume",
            "promote-without-source",
            "validate",
            "--help",
            "-h",
            "--version",
            "-V");

    public static void main(String[] args) {
        // First, before anything heavy is loaded: a resident process may answer at once.
        OptionalInt answered = ResidentClient.run(args);
        if (answered.isPresent()) System.exit(answered.getAsInt());
        if (args.length > 0 && QUICK.contains(args[0])) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        CommandLine cli = SwitchoverCli.commandLine();
        cli.addSubcommand("worker", new WorkerCommand());
        cli.addSubcommand("demo", new DemoCommand());
        System.exit(cli.execute(args));
    }
}
