package dev.switchover.starter;

import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "validate",
        description = {
            "Check SPEC and print it with every default filled in, exactly as start would run it.",
            "Also checks from this machine that its secrets resolve, its SSH keys and known_hosts files are there and",
            "name the hosts, and the hosts answer on their SSH and database ports (--offline: the spec only).",
            "Exit 0 valid, 2 with every problem, each naming the field and the fix."
        })
final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Parameters(paramLabel = "SPEC", description = "The migration spec (YAML).")
    Path specFile;

    @picocli.CommandLine.Option(
            names = "--offline",
            description = "Check the spec only: no secrets, files or hosts (where the worker runs on another machine).")
    boolean offline;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        MigrationSpec spec = SpecFiles.load(specFile);
        if (!offline) {
            java.util.List<String> problems = LocalChecks.problems(spec);
            if (!problems.isEmpty()) {
                PrintWriter err = command.commandLine().getErr();
                err.println("switchover: " + specFile + " is valid as a spec, but from this machine " + problems.size()
                        + (problems.size() == 1 ? " thing is" : " things are")
                        + " wrong (--offline skips these checks):");
                for (String p : problems) err.println("  " + p);
                err.flush();
                return ExitCodes.BAD_INPUT;
            }
        }
        out.println(specFile + " is valid"
                + (offline ? " (spec only)" : "; its secrets, keys and hosts check out from here"));
        out.println("# Effective spec, defaults filled in; it runs as workflow " + spec.workflowId() + ".");
        out.print(SpecLoader.toYaml(spec));
        out.flush();
        return ExitCodes.OK;
    }
}
