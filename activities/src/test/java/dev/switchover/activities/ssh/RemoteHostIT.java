package dev.switchover.activities.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.secrets.Secret;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.SshSpec;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/** Against the lab host ssht: a real sshd, Debian, logged in as root. */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:ssht")
class RemoteHostIT {
    static Lab lab;
    static RemoteHost host;

    @TempDir
    Path tmp;

    @BeforeAll
    static void up() {
        lab = LabHost.SSHT.up();
        host = new RemoteHost(lab.host());
    }

    @AfterAll
    static void down() {
        if (host != null) host.close();
    }

    private RemoteHost hostWith(String privateKey, String knownHosts) {
        SshSpec s = lab.ssh();
        return new RemoteHost(
                lab.address(), new SshSpec(s.user(), s.port(), privateKey, knownHosts, s.connectTimeout()));
    }

    private static ApplicationFailure fatal(String type, RemoteHost h) {
        ApplicationFailure f =
                assertThrows(ApplicationFailure.class, () -> h.run(List.of("true"), Duration.ofSeconds(10)));
        assertEquals(type, f.getType(), f.getOriginalMessage());
        assertTrue(f.isNonRetryable());
        return f;
    }

    private static String local(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private String hostKeyFingerprint() throws Exception {
        String pub = lab.get("STATE_DIR") + "/ssh/ssh_host_ed25519_key.pub";
        return local("ssh-keygen", "-l", "-E", "sha256", "-f", pub).split(" ")[1];
    }

    /** Whether a process whose command line starts with {@code commandLine} runs on the host. */
    private static boolean running(String commandLine) {
        // Anchored, so that it does not find the pgrep's own wrappers, whose argv contain it too.
        CommandResult r = host.run(List.of("pgrep", "-f", "^" + commandLine), Duration.ofSeconds(10));
        assertTrue(r.exitCode() <= 1, r.toString());
        return r.exitCode() == 0;
    }

    @Test
    void commandReturnsStdoutStderrAndExitCode() {
        CommandResult r = host.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(10));
        assertEquals(3, r.exitCode());
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr());
        RemoteCommandException e = assertThrows(RemoteCommandException.class, () -> r.orThrow("probing"));
        assertTrue(e.getMessage().startsWith("probing failed: " + LabHost.SSHT.address() + ": sh -c"), e.getMessage());
        assertTrue(e.getMessage().endsWith("exited with 3; stderr ends with:\nerr"), e.getMessage());
    }

    @Test
    void connectionDoesNotHoldSmallPacketsBack() throws Exception {
        // Nagle's algorithm against sshd's delayed ACK cost about 40 ms a command, all through the cutover.
        assertTrue(host.sendsWithoutDelay(), "TCP_NODELAY on the SSH connection");
    }

    @Test
    void trickyArgumentsArriveUnchanged() {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(ShellQuoteTest.TRICKY);
        CommandResult r = host.run(argv, Duration.ofSeconds(10)).orThrow("printing");
        assertEquals(String.join("\0", ShellQuoteTest.TRICKY) + "\0", r.stdout());
    }

    @Test
    void secretReachesTheCommandButNoProcessArgvOnTheHost() throws Exception {
        String secret = "Sekr1t-" + System.nanoTime();
        CompletableFuture<CommandResult> holder = CompletableFuture.supplyAsync(
                () -> host.run(Command.of("sh", "-c", "printf %s \"$SWITCHOVER_TEST_SECRET\"; sleep 4.5")
                        .withSecretEnv("SWITCHOVER_TEST_SECRET", Secret.of(secret))));
        Thread.sleep(2000);
        String processes = host.run(
                        List.of("sh", "-c", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < \"$f\"; echo; done"),
                        Duration.ofSeconds(10))
                .orThrow("listing processes")
                .stdout();
        assertTrue(processes.contains("sleep 4.5"), "the listing ran while the command did");
        assertTrue(processes.contains("SWITCHOVER_TEST_SECRET"), "its argv names the variable");
        assertFalse(processes.contains(secret), "no argv holds the secret");
        CommandResult r = holder.get(30, TimeUnit.SECONDS).orThrow("printing the secret");
        assertEquals(secret, r.stdout());
        assertFalse(r.command().contains(secret));
    }

    @Test
    void secretAndStdinReachACommandRunAsAnotherUser() {
        CommandResult r = host.run(Command.of("sh", "-c", "id -un; pwd; printf '%s\\n' \"$PGPASSWORD\"; cat")
                        .asUser("postgres")
                        .withSecretEnv("PGPASSWORD", Secret.of("it's a $ecret"))
                        .withStdin("from stdin\n"))
                .orThrow("running as postgres");
        assertEquals("postgres\n/var/lib/postgresql\nit's a $ecret\nfrom stdin\n", r.stdout());
        assertEquals("", r.stderr());
    }

    @Test
    void unknownHostKeyIsRefusedNamingItsFingerprint() throws Exception {
        Path knownHosts = tmp.resolve("known_hosts");
        String line = Files.readString(Path.of(lab.get("SSH_KNOWN_HOSTS")))
                .lines()
                .filter(l -> l.startsWith(lab.address() + " "))
                .findFirst()
                .orElseThrow();
        // The same key, listed for another address only.
        Files.writeString(knownHosts, line.replace(lab.address() + " ", LabHost.nowhere(5) + " ") + "\n");
        ApplicationFailure f = fatal(Failures.HOST_KEY_REJECTED, hostWith(lab.get("SSH_KEY"), knownHosts.toString()));
        String m = f.getOriginalMessage();
        assertTrue(m.contains(hostKeyFingerprint()), m);
        assertTrue(m.contains(lab.address()), m);
        assertTrue(m.contains(knownHosts.toString()), m);
        String fix = "add the host's key with ssh-keyscan after verifying its fingerprint out of band";
        assertTrue(m.contains(fix), m);
    }

    @Test
    void changedHostKeyIsRefusedNamingTheNewFingerprint() throws Exception {
        local(
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-f",
                tmp.resolve("other").toString());
        String[] other = Files.readString(tmp.resolve("other.pub")).split(" ");
        Path knownHosts = tmp.resolve("known_hosts");
        Files.writeString(knownHosts, lab.address() + " " + other[0] + " " + other[1] + "\n");
        ApplicationFailure f = fatal(Failures.HOST_KEY_REJECTED, hostWith(lab.get("SSH_KEY"), knownHosts.toString()));
        assertTrue(f.getOriginalMessage().contains("CHANGED"), f.getOriginalMessage());
        assertTrue(f.getOriginalMessage().contains(hostKeyFingerprint()), f.getOriginalMessage());
    }

    @Test
    void missingKnownHostsFileIsRefused() {
        ApplicationFailure f = fatal(Failures.HOST_KEY_REJECTED, hostWith(lab.get("SSH_KEY"), tmp + "/nope"));
        assertTrue(f.getOriginalMessage().contains(tmp + "/nope"));
    }

    @Test
    void wrongPrivateKeyIsBadCredentials() throws Exception {
        Path key = tmp.resolve("stranger");
        local("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
        ApplicationFailure f = fatal(Failures.BAD_CREDENTIALS, hostWith(key.toString(), lab.get("SSH_KNOWN_HOSTS")));
        assertTrue(f.getOriginalMessage().contains("root@" + lab.address()), f.getOriginalMessage());
        assertTrue(f.getOriginalMessage().contains(key.toString()), f.getOriginalMessage());
    }

    @Test
    void missingPrivateKeyFileIsSecretUnavailable() {
        ApplicationFailure f =
                fatal(Failures.SECRET_UNAVAILABLE, hostWith(tmp + "/no_key", lab.get("SSH_KNOWN_HOSTS")));
        assertTrue(f.getOriginalMessage().contains(tmp + "/no_key"));
    }

    @Test
    void commandPastItsTimeoutIsKilledAndThrows() {
        long start = System.nanoTime();
        assertThrows(RemoteTimeoutException.class, () -> host.run(List.of("sleep", "987"), Duration.ofSeconds(2)));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(8).toNanos());
        assertFalse(running("sleep 987"));
    }

    @Test
    void commandIgnoringTermIsKilledAfterTheGrace() {
        assertThrows(
                RemoteTimeoutException.class,
                () -> host.run(List.of("sh", "-c", "trap '' TERM; sleep 986; echo survived"), Duration.ofSeconds(2)));
        assertFalse(running("sleep 986"));
    }

    @Test
    void heartbeatIsCalledOnTheCallingThreadWhileALongCommandRuns() {
        AtomicInteger beats = new AtomicInteger();
        Thread caller = Thread.currentThread();
        host.run(Command.of("sleep", "12").withTimeout(Duration.ofSeconds(30)).withHeartbeat(() -> {
                    // Temporal's Activity.getExecutionContext() only works on this thread.
                    assertEquals(caller, Thread.currentThread());
                    beats.incrementAndGet();
                }))
                .orThrow("sleeping");
        assertTrue(beats.get() >= 2 && beats.get() <= 3, "beats: " + beats.get());
    }

    @Test
    void heartbeatThatThrowsStopsTheCommandAndWhatItStarted() {
        RuntimeException cancelled = new RuntimeException("activity cancelled");
        RuntimeException e = assertThrows(
                RuntimeException.class,
                () -> host.run(
                        // setsid: a process that left the command's process group, like a daemon.
                        Command.of("sh", "-c", "setsid sleep 983 >/dev/null 2>&1 & sleep 985")
                                .withTimeout(Duration.ofSeconds(60))
                                .withHeartbeat(() -> {
                                    throw cancelled;
                                })));
        assertEquals(cancelled, e);
        assertFalse(running("sleep 985"));
        assertFalse(running("sleep 983"));
    }

    @Test
    void droppedConnectionFailsTheCommandAndTheNextOneReconnects() {
        host.run(List.of("true"), Duration.ofSeconds(10)).orThrow("warming up");
        // Kills this connection's sshd session process on the host, from inside it.
        assertThrows(
                RemoteCommandException.class,
                () -> host.run(
                        List.of("sh", "-c", "sleep 0.5; pkill -KILL -f '^sshd(-session)?: root@'; sleep 982"),
                        Duration.ofSeconds(30)));
        assertEquals(
                "again\n",
                host.run(List.of("echo", "again"), Duration.ofSeconds(10)).stdout());
        assertFalse(running("sleep 982"), "the orphaned command was stopped after reconnecting");
    }

    @Test
    void closedHostConnectsAgainOnNextUse() {
        RemoteHost h = new RemoteHost(lab.host());
        assertEquals("1\n", h.run(List.of("echo", "1"), Duration.ofSeconds(10)).stdout());
        h.close();
        assertEquals("2\n", h.run(List.of("echo", "2"), Duration.ofSeconds(10)).stdout());
        h.close();
    }

    @Test
    void writeFileThenReadFileRoundTripsWithModeAndOwner() {
        String dir = "/tmp/switchover-ssht-" + System.nanoTime();
        host.run(List.of("mkdir", "-p", dir), Duration.ofSeconds(10)).orThrow("mkdir");
        String path = dir + "/it's a file.conf";
        String content = "primary_conninfo = 'host=a port=5432'\n# $HOME `id` \\\nünïcode ✓\n";
        assertFalse(host.exists(path));
        host.writeFile(path, content, "0640", "postgres:postgres");
        assertTrue(host.exists(path));
        assertEquals(content, host.readFile(path));
        assertEquals("640 postgres postgres\n", stat(path));

        host.writeFile(path, "second\n", null, null);
        assertEquals("second\n", host.readFile(path));
        assertEquals("640 postgres postgres\n", stat(path), "kept from the file it replaced");
        assertEquals(
                "it's a file.conf\n",
                host.run(List.of("ls", "-A", dir), Duration.ofSeconds(10)).stdout(),
                "no temporary file left behind");
        host.run(List.of("rm", "-rf", dir), Duration.ofSeconds(10)).orThrow("cleanup");
    }

    private static String stat(String path) {
        return host.run(List.of("stat", "-c", "%a %U %G", path), Duration.ofSeconds(10))
                .orThrow("stat")
                .stdout();
    }

    @Test
    void replaceFileWritesOnlyOverWhatWasRead() {
        String dir = "/tmp/switchover-ssht-cas-" + System.nanoTime();
        host.run(List.of("mkdir", "-p", dir), Duration.ofSeconds(10)).orThrow("mkdir");
        String path = dir + "/pgbouncer.ini";
        String read = "[databases]\nappdb = host=" + LabHost.BCS.address() + " ünïcode\n";
        host.writeFile(path, read, "0640", "postgres:postgres");

        host.writeFile(path, read + "; somebody else's edit\n", null, null);
        assertFalse(host.replaceFile(path, read, "mine\n"), "changed since it was read");
        assertEquals(read + "; somebody else's edit\n", host.readFile(path), "their edit kept");

        assertTrue(host.replaceFile(path, read + "; somebody else's edit\n", "mine\n"));
        assertEquals("mine\n", host.readFile(path));
        assertEquals("640 postgres postgres\n", stat(path), "mode and owner kept");
        assertEquals(
                "pgbouncer.ini\n",
                host.run(List.of("ls", "-A", dir), Duration.ofSeconds(10)).stdout(),
                "no temporary file left behind");
        host.run(List.of("rm", "-rf", dir), Duration.ofSeconds(10)).orThrow("cleanup");
    }

    @Test
    void streamingHandsOverLinesEndedByCarriageReturnsToo() {
        List<String> err = new ArrayList<>();
        List<String> out = new ArrayList<>();
        Thread caller = Thread.currentThread();
        CommandResult r = host.runStreaming(
                Command.of("sh", "-c", "printf '10%%\\r20%%\\r30%%\\n' >&2; echo one; echo two"),
                line -> {
                    assertEquals(caller, Thread.currentThread());
                    err.add(line);
                },
                out::add,
                Duration.ofSeconds(10));
        assertEquals(0, r.exitCode());
        assertEquals(List.of("10%", "20%", "30%"), err);
        assertEquals(List.of("one", "two"), out);
    }

    @Test
    void commandThatLeavesADaemonHoldingItsOutputStillReturns() {
        long start = System.nanoTime();
        CommandResult r = host.run(List.of("sh", "-c", "sleep 984 & echo started"), Duration.ofSeconds(60));
        assertEquals("started\n", r.stdout());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
        assertTrue(running("sleep 984"), "the daemon lives on: only a failed run is cleaned up");
        host.run(List.of("pkill", "-f", "^sleep 984"), Duration.ofSeconds(10));
    }
}
