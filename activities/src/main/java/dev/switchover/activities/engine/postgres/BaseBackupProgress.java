package dev.switchover.activities.engine.postgres;

import dev.switchover.workflows.activities.CopyProgress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pg_basebackup -P progress lines, e.g. {@code "  123456/7654321 kB (1%), 0/1 tablespace"} or with
 * -v a trailing path. The tool rewrites the line with carriage returns; callers split on them.
 */
final class BaseBackupProgress {
    private static final Pattern LINE = Pattern.compile("\\s*(\\d+)/(\\d+) kB \\((\\d+)%\\)");

    private BaseBackupProgress() {}

    static Optional<CopyProgress> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.lookingAt()) return Optional.empty();
        return Optional.of(new CopyProgress(
                Long.parseLong(m.group(1)) * 1024, Long.parseLong(m.group(2)) * 1024, "streaming base backup"));
    }
}
