package dev.switchover.activities.ssh;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Files on one host, read and written with the host's own tools over {@link CommandRunner}: a write
 * replaces the file atomically with its owner and mode, so readers never see half of it. Its
 * methods are {@link RemoteHost}'s, which documents them for the callers.
 */
final class RemoteFiles {
    private static final Pattern MODE = Pattern.compile("[0-7]{3,4}");
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?");

    /** Writes stdin to a temporary file beside the target, then renames it over the target. */
    private static final String WRITE_FILE_SCRIPT = "set -e; target=$1; mode=$2; owner=$3; expected=${4:-};"
            + " if [ -n \"$expected\" ] && [ \"$(sha256sum < \"$target\")\" != \"$expected  -\" ]; then exit 3; fi;"
            + " tmp=$(mktemp -- \"$target.switchover.XXXXXX\");"
            + " trap 'rm -f -- \"$tmp\"' EXIT;"
            + " cat > \"$tmp\";"
            + " if [ -n \"$owner\" ]; then chown -- \"$owner\" \"$tmp\";"
            + " elif [ -e \"$target\" ]; then chown --reference=\"$target\" -- \"$tmp\"; fi;"
            + " if [ -n \"$mode\" ]; then chmod -- \"$mode\" \"$tmp\";"
            + " elif [ -e \"$target\" ]; then chmod --reference=\"$target\" -- \"$tmp\"; fi;"
            + " sync -- \"$tmp\" 2>/dev/null || true;"
            + " mv -f -- \"$tmp\" \"$target\"; trap - EXIT";

    private final CommandRunner runner;

    RemoteFiles(CommandRunner runner) {
        this.runner = runner;
    }

    String readFile(String path) {
        return run(Command.of("cat", "--", path)).orThrow("reading " + path).stdout();
    }

    void writeFile(String path, String content, String mode, String owner) {
        if (mode != null && !MODE.matcher(mode).matches()) {
            throw new IllegalArgumentException("not an octal file mode: " + mode);
        }
        if (owner != null && !OWNER.matcher(owner).matches()) {
            throw new IllegalArgumentException("not an owner (user or user:group): " + owner);
        }
        run(Command.of("sh", "-c", WRITE_FILE_SCRIPT, "sh", path, mode == null ? "" : mode, owner == null ? "" : owner)
                        .withStdin(content))
                .orThrow("writing " + path);
    }

    boolean replaceFile(String path, String expected, String content) {
        String sha256 = HexFormat.of().formatHex(sha256(expected.getBytes(StandardCharsets.UTF_8)));
        CommandResult r = run(Command.of("sh", "-c", WRITE_FILE_SCRIPT, "sh", path, "", "", sha256)
                .withStdin(content));
        if (r.exitCode() == 3) return false;
        r.orThrow("writing " + path);
        return true;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    boolean exists(String path) {
        CommandResult r = run(Command.of("test", "-e", path));
        if (r.exitCode() == 0 || r.exitCode() == 1) return r.exitCode() == 0;
        r.orThrow("checking whether " + path + " exists");
        throw new IllegalStateException("unreachable");
    }

    private CommandResult run(Command command) {
        return runner.run(command, null, null);
    }
}
