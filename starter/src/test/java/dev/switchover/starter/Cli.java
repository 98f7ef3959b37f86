package dev.switchover.starter;

import dev.switchover.testkit.LabHost;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs the CLI in-process with captured output, as a test sees it. */
final class Cli {
    private Cli() {}

    record Run(int exit, String out, String err) {
        /** Everything the run printed, for assertion messages. */
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Output that can be read while the command is still writing it. */
    static final class Capture {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();

        Run run(String... args) {
            CommandLine cli = SwitchoverCli.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute(args);
            return new Run(exit, out.toString(), err.toString());
        }
    }

    static Run run(String... args) {
        return new Capture().run(args);
    }

    /** A port nothing listens on, to stand for a server that is down. */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A valid spec with thresholds short enough for a test: in sync for 1s, sampled every second.
     */
    static Path spec(Path dir, String name, String mode) {
        String yaml = """
        name: %s
        engine: postgresql
        source:
          address: %s
          ssh:
            privateKey: /etc/switchover/id_ed25519
          database:
            adminPassword: env:PG_ADMIN_PASSWORD
        target:
          address: %s
          ssh:
            privateKey: /etc/switchover/id_ed25519
          database:
            adminPassword: env:PG_ADMIN_PASSWORD
        replication:
          password: env:REPLICATION_PASSWORD
        catchUp:
          holdFor: 1s
          pollEvery: 1s
        cutover:
          mode: %s
        """.formatted(name, LabHost.SRC.address(), LabHost.DST.address(), mode);
        return write(dir.resolve(name + ".yaml"), yaml);
    }

    static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
