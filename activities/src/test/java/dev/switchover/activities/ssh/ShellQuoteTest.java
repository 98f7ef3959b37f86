package dev.switchover.activities.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellQuoteTest {
    static final List<String> TRICKY = List.of(
            "plain",
            "two words",
            "",
            "it's",
            "'",
            "''",
            "\"double\"",
            "$HOME",
            "${PATH}",
            "`id`",
            "$(id)",
            "line one\nline two",
            ";rm -rf /",
            "a && b || c | d",
            "*",
            "~root",
            "back\\slash\\",
            "-n",
            "--",
            "tab\there",
            "héllo wörld ✓",
            "!event",
            "#comment",
            "a'b\"c$d`e\\f");

    /** What the shell makes of {@code line} as the arguments of printf '%s\0'. */
    static List<String> shellSplit(String shell, String line) throws Exception {
        Process p = new ProcessBuilder(shell, "-c", "printf '%s\\0' " + line)
                .redirectErrorStream(true)
                .start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertEquals(0, p.waitFor(), () -> shell + " failed: " + out);
        String all = out.toString(StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < all.length(); i++) {
            if (all.charAt(i) == '\0') {
                args.add(all.substring(from, i));
                from = i + 1;
            }
        }
        return args;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/bash"})
    void everyTrickyArgumentSurvivesTheShellUnchanged(String shell) throws Exception {
        if (!Files.isExecutable(Path.of(shell))) throw new IOException(shell + " is missing");
        assertEquals(TRICKY, shellSplit(shell, ShellQuote.line(TRICKY)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/bash"})
    void eachArgumentAloneSurvivesTheShellUnchanged(String shell) throws Exception {
        for (String arg : TRICKY) {
            assertEquals(List.of(arg), shellSplit(shell, ShellQuote.quote(arg)), arg);
        }
    }

    @Test
    void nulIsRefusedBecauseNoArgvCanCarryIt() {
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.quote("a\0b"));
    }

    @Test
    void displayQuotesOnlyWhatNeedsIt() {
        assertEquals(
                "pg_ctl -D /var/lib/pg 'two words' 'it'\\''s'",
                ShellQuote.display(List.of("pg_ctl", "-D", "/var/lib/pg", "two words", "it's")));
    }
}
