package dev.switchover.workflows.status;

import java.util.Locale;

/** Sizes as people read them, the same in the workflow's texts and the CLI's. */
public final class ByteSize {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB"};

    private ByteSize() {}

    /** "512 B", "1.2 MiB": binary units with one decimal. */
    public static String human(long n) {
        if (n < 1024) return n + " B";
        double v = n;
        int u = -1;
        while (v >= 1024 && u < UNITS.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[u]);
    }
}
