package dev.switchover.starter.resident;

import dev.switchover.starter.SwitchoverCli;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;

/**
 * The resident process behind {@link ResidentClient}: it answers the served verbs on a Unix
 * socket, each call on its own thread with its own CLI instance, as `./switchover VERB ...` would
 * in a fresh JVM, since it runs in the environment of the call that started it. It exits after
 * {@link #IDLE} without a call, taking its socket with it.
 */
public final class CliDaemon {
    /** Long enough for an operator's hour of status calls, short enough to leave nothing behind for long. */
    static final Duration IDLE = Duration.ofMinutes(10);

    private final Path socket;
    private final Duration idle;
    private final AtomicLong lastCall = new AtomicLong(System.nanoTime());
    private final AtomicInteger running = new AtomicInteger();

    CliDaemon(Path socket, Duration idle) {
        this.socket = socket;
        this.idle = idle;
    }

    public static void main(String[] args) throws Exception {
        String idle = System.getenv("SWITCHOVER_CLI_RESIDENT_IDLE");
        new CliDaemon(Path.of(args[0]), idle == null ? IDLE : Duration.parse(idle)).serve();
        System.exit(0);
    }

    /** Serves until idle; returns at once if another resident process holds this socket's lock. */
    void serve() throws IOException, InterruptedException {
        Path lockFile = Path.of(socket + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockChannel.tryLock()) {
            if (lock == null) return;
            // A socket file left by a resident process that was killed: nobody listens on it.
            Files.deleteIfExists(socket);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                Thread acceptor = new Thread(() -> accept(server), "resident-cli-accept");
                acceptor.setDaemon(true);
                acceptor.start();
                while (running.get() > 0 || System.nanoTime() - lastCall.get() < idle.toNanos()) {
                    Thread.sleep(Math.min(1000, Math.max(10, idle.toMillis() / 4)));
                }
                // No new calls; one accepted meanwhile is counted once the acceptor has ended, and runs to
                // its end: a call told it was accepted is never cut off by the idle exit.
                server.close();
                acceptor.join();
                while (running.get() > 0) Thread.sleep(10);
            } finally {
                Files.deleteIfExists(socket);
            }
        }
    }

    private void accept(ServerSocketChannel server) {
        while (true) {
            SocketChannel call;
            try {
                call = server.accept();
            } catch (IOException closed) {
                return;
            }
            running.incrementAndGet();
            lastCall.set(System.nanoTime());
            Thread t = new Thread(() -> answer(call), "resident-cli-call");
            t.setDaemon(true);
            t.start();
        }
    }

    private void answer(SocketChannel call) {
        try (call) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(call)));
            Frames.Request request = Frames.readRequest(new DataInputStream(Channels.newInputStream(call)));
            String[] args = request.args();
            int code;
            if (args.length == 0 || !ResidentClient.SERVED.contains(args[0])) {
                Frames.stream(out, Frames.ERR)
                        .write(("switchover: the resident CLI process does not run "
                                        + (args.length == 0 ? "nothing" : args[0]) + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                code = 2;
            } else {
                Frames.writeAccepted(out);
                PrintWriter stdout = writer(out, Frames.OUT);
                PrintWriter stderr = writer(out, Frames.ERR);
                CommandLine cli = SwitchoverCli.commandLine();
                cli.setOut(stdout);
                cli.setErr(stderr);
                cli.setColorScheme(CommandLine.Help.defaultColorScheme(ansi(request.console())));
                code = cli.execute(args);
                stdout.flush();
                stderr.flush();
            }
            Frames.writeExit(out, code);
        } catch (IOException | RuntimeException e) {
            // The caller went away (Ctrl-C) or sent something else: nobody is left to tell.
        } finally {
            lastCall.set(System.nanoTime());
            running.decrementAndGet();
        }
    }

    /**
     * Colour as picocli gives it to a JVM of the call's own: on a terminal, unless TERM is dumb or
     * NO_COLOR is set (both part of the key, so this process has the call's).
     */
    private static CommandLine.Help.Ansi ansi(boolean console) {
        boolean on = console && !"dumb".equals(System.getenv("TERM")) && System.getenv("NO_COLOR") == null;
        return on ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF;
    }

    /**
     * The platform's charset, as a JVM of the call's own prints with: this process was started in
     * the call's locale (it is part of the key), so "…" and "≥" come out as they would.
     */
    private static PrintWriter writer(DataOutputStream out, byte kind) {
        return new PrintWriter(new OutputStreamWriter(Frames.stream(out, kind), Charset.defaultCharset()), true);
    }
}
