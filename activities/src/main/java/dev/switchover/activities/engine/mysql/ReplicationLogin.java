package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The replication account's login from the target to the source, as the client tools on the
 * target use it (the dump, and the proof that the target reaches the server the worker reaches).
 */
final class ReplicationLogin {
    /**
     * The replication password goes into an option file made by process substitution, so it is in
     * no argv and on no disk; the secret reaches the shell through stdin.
     */
    static final String WITH_CREDENTIALS =
            "creds() { printf '[client]\\npassword=\"%s\"\\n' \"$(printf '%s' \"$SWITCHOVER_REPL_PW\""
                    + " | sed 's/[\\\\\"]/\\\\&/g')\"; }; ";

    private final MySqlEngine engine;
    private final Dialect dialect;

    ReplicationLogin(MySqlEngine engine, Dialect dialect) {
        this.engine = engine;
        this.dialect = dialect;
    }

    /** The client tools' options that log in to the source as the replication account. */
    List<String> options(MigrationSpec spec) {
        List<String> args = new ArrayList<>(List.of(
                "--defaults-extra-file=<(creds)",
                "-h",
                spec.source().address(),
                "-P",
                String.valueOf(spec.source().database().port()),
                "-u",
                spec.replication().user()));
        args.addAll(dialect.clientTlsOptions(spec.source().database().tls()));
        return args;
    }

    /** Words for bash; {@code <(creds)} stays unquoted so the shell substitutes it. */
    static String shellJoin(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (b.length() > 0) b.append(' ');
            if (w.equals("--defaults-extra-file=<(creds)")) b.append(w);
            else b.append("'").append(w.replace("'", "'\\''")).append("'");
        }
        return b.toString();
    }

    /** The failure of a client tool that logged in this way: a refused login, or the copy's exit. */
    RuntimeException dumpFailed(CommandResult r, MigrationSpec spec) {
        String err = r.stderr();
        String tail = err.length() > 2000 ? err.substring(err.length() - 2000) : err;
        if (err.contains("Access denied") || err.contains("1045")) {
            return Failures.fatal(
                    Failures.BAD_CREDENTIALS,
                    "the source refused the replication account "
                            + spec.replication().user() + " from "
                            + spec.target().address() + ": " + tail.strip());
        }
        return new IllegalStateException("the base copy (" + dialect.dumpTool + " | " + dialect.clientTool
                + ") exited with " + r.exitCode() + ": " + tail.strip());
    }

    /**
     * Logs in from the target to the source as the replica will, before anything on the target is
     * touched, and proves the target reaches the same server the worker does.
     */
    void prove(MigrationSpec spec, RemoteHost targetHost, String sourceId) {
        List<String> argv = new ArrayList<>(List.of(dialect.clientTool));
        argv.addAll(options(spec));
        argv.addAll(List.of("--connect-timeout=10", "-N", "-e", dialect.identityQuery()));
        CommandResult r = targetHost.run(Command.of("bash", "-c", WITH_CREDENTIALS + shellJoin(argv))
                .withSecretEnv("SWITCHOVER_REPL_PW", engine.replicationPassword(spec))
                .withTimeout(Duration.ofMinutes(1)));
        if (!r.ok()) throw dumpFailed(r, spec);
        String seen = r.stdout().strip();
        if (!sourceId.equals(seen)) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    spec.target().address() + " reaches a server " + seen + " at "
                            + spec.source().address() + ", but the worker reaches " + sourceId
                            + ": they see different servers at"
                            + " that address (NAT, DNS or a proxy); give source.address as the target sees it.");
        }
    }
}
