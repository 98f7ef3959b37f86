package dev.switchover.worker;

import dev.switchover.starter.SwitchoverCli;
import picocli.CommandLine;

/** The `./switchover` launcher: the operator's CLI plus the `worker` verb. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    CommandLine cli = SwitchoverCli.commandLine();
    cli.addSubcommand("worker", new WorkerCommand());
    cli.addSubcommand("demo", new DemoCommand());
    System.exit(cli.execute(args));
  }
}
