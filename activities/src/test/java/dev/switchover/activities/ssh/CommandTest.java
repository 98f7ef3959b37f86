package dev.switchover.activities.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.secrets.Secret;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the line RemoteHost would send through a local shell, as sshd would. */
class CommandTest {
    record Ran(int exit, String stdout, String stderr) {}

    static Ran runLocally(Command c) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", c.remoteLine("t1")).start();
        try (var in = p.getOutputStream()) {
            in.write(c.remoteStdin());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Ran(p.waitFor(), out.toString(StandardCharsets.UTF_8), err);
    }

    @Test
    void argvReachesTheProgramExactlyThroughTheWholeWrapper() throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(ShellQuoteTest.TRICKY);
        Command c = Command.of(argv).withEnv("PLAIN", "x y").withSecretEnv("SECRET_ONE", Secret.of("s1"));
        Ran r = runLocally(c);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(String.join("\0", ShellQuoteTest.TRICKY) + "\0", r.stdout());
    }

    @Test
    void secretsArriveAsEnvironmentAndStdinStillReachesTheProgram() throws Exception {
        String secret = "p@ss w'rd $HOME `id` \\";
        Command c = Command.of("sh", "-c", "printf '%s|%s|%s|' \"$PGPASSWORD\" \"$OTHER\" \"$PLAIN\"; cat")
                .withEnv("PLAIN", "visible")
                .withSecretEnv("PGPASSWORD", Secret.of(secret))
                .withSecretEnv("OTHER", Secret.of("  spaced  "))
                .withStdin("rest of stdin\nsecond line\n");
        Ran r = runLocally(c);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(secret + "|  spaced  |visible|rest of stdin\nsecond line\n", r.stdout());
    }

    @Test
    void secretsNeverAppearInTheCommandLineOrTheDisplay() {
        Command c = Command.of("psql", "-Atc", "select 1")
                .asUser("postgres")
                .withSecretEnv("PGPASSWORD", Secret.of("hunter2-secret"));
        assertFalse(c.remoteLine("t1").contains("hunter2-secret"));
        assertFalse(c.display().contains("hunter2-secret"));
        assertFalse(c.toString().contains("hunter2-secret"));
        assertEquals("[as postgres] PGPASSWORD=*** psql -Atc 'select 1'", c.display());
    }

    @Test
    void asUserGoesThroughRunuserAndTheTimeoutWrapsTheProgram() {
        String line = Command.of("id")
                .asUser("postgres")
                .withTimeout(Duration.ofMillis(1500))
                .remoteLine("t1");
        assertEquals(
                "'runuser' '-u' 'postgres' '--' 'sh' '-c' "
                        + ShellQuote.quote(Command.HOME_WRAPPER)
                        + " 'sh' 'env' 'SWITCHOVER_RUN=t1' 'timeout' '-k' '5s' '2s' 'id'",
                line);
    }

    @Test
    void theHostsOwnTimeoutKillsAProgramThatRunsTooLong() throws Exception {
        long start = System.nanoTime();
        Ran r = runLocally(Command.of("sleep", "30").withTimeout(Duration.ofSeconds(1)));
        assertEquals(124, r.exit());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void secretsWithLineBreaksAreRefusedWithoutQuotingThem() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> Command.of("true").withSecretEnv("P", Secret.of("line1\nline2")));
        assertFalse(e.getMessage().contains("line1"));
    }

    @Test
    void namesThatAreNotIdentifiersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Command.of("true").withEnv("A B", "x"));
        assertThrows(IllegalArgumentException.class, () -> Command.of("true").withEnv("A=B", "x"));
        assertThrows(IllegalArgumentException.class, () -> Command.of("true").asUser("x; rm"));
        assertThrows(IllegalArgumentException.class, () -> Command.of(List.of()));
    }
}
