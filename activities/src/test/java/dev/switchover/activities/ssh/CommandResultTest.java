package dev.switchover.activities.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandResultTest {
    @Test
    void orThrowReturnsTheResultWhenTheProgramSucceeded() {
        CommandResult ok = new CommandResult("h: true", 0, "out", "");
        assertSame(ok, ok.orThrow("checking"));
    }

    @Test
    void orThrowNamesWhatFailedTheCommandTheExitCodeAndTheEndOfStderr() {
        String stderr = "x".repeat(5000) + "\nFATAL: the real reason";
        var e = assertThrows(
                RemoteCommandException.class,
                () -> new CommandResult("db1: pg_ctl -D /d start", 3, "", stderr).orThrow("starting"));
        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().startsWith("starting failed: db1: pg_ctl -D /d start exited with 3"));
        assertTrue(e.getMessage().endsWith("FATAL: the real reason"));
        assertTrue(e.getMessage().length() < 2200);
    }
}
