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
      "Needs no server and connects to nothing."
    })
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec command;

  @Parameters(paramLabel = "SPEC", description = "The migration spec (YAML).")
  Path specFile;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    MigrationSpec spec = SpecFiles.load(specFile);
    out.println(specFile + " is valid");
    out.println("# Effective spec, defaults filled in; it runs as workflow " + spec.workflowId() + ".");
    out.print(SpecLoader.toYaml(spec));
    out.flush();
    return ExitCodes.OK;
  }
}
