package dev.switchover.activities.engine.mysql;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server version as @@version gives it ("9.7.4-2", "10.11.19-MariaDB-0+deb12u1-log"). */
record Version(int major, int minor, int patch, String text) implements Comparable<Version> {
    private static final Pattern LEADING = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    static Version parse(String text) {
        Matcher m = LEADING.matcher(text == null ? "" : text.strip());
        if (!m.find()) throw new IllegalArgumentException("not a server version: " + text);
        return new Version(
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
                text.strip());
    }

    boolean atLeast(int major, int minor, int patch) {
        return compareTo(new Version(major, minor, patch, "")) >= 0;
    }

    @Override
    public int compareTo(Version o) {
        if (major != o.major) return Integer.compare(major, o.major);
        if (minor != o.minor) return Integer.compare(minor, o.minor);
        return Integer.compare(patch, o.patch);
    }

    /**
     * Why a replica of this version cannot replicate from {@code source}, or null if it can. MySQL
     * and MariaDB support a replica as new as the source or newer within the next release series
     * (8.0 to 8.4, 8.4 to 9.x); an older replica may not understand the source's binary log.
     */
    String cannotReplicateFrom(Version source) {
        if (compareTo(source) < 0) {
            return "the target runs " + text + ", older than the source's " + source.text
                    + "; a replica must run the same version as its source or a newer one: upgrade the target first";
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
