package dev.switchover.activities.ssh;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting. sshd hands the command line to the login shell, so every argument is
 * wrapped in single quotes, inside which nothing is special except the single quote itself.
 */
public final class ShellQuote {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellQuote() {}

    /** {@code arg} as one shell word that the shell turns back into exactly {@code arg}. */
    public static String quote(String arg) {
        if (arg.indexOf('\0') >= 0) {
            // A process argument cannot hold NUL: the remote side would silently cut it there.
            throw new IllegalArgumentException("a command argument cannot contain a NUL character");
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** The argv as one shell line, every argument quoted. */
    public static String line(List<String> argv) {
        return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }

    /** The argv for people to read in logs and messages: quoted only where it needs to be. */
    public static String display(List<String> argv) {
        return argv.stream()
                .map(a -> PLAIN.matcher(a).matches() ? a : quote(a.replace('\0', '?')))
                .collect(Collectors.joining(" "));
    }
}
