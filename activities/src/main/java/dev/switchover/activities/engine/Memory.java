package dev.switchover.activities.engine;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.activities.Check;

/** Memory settings against the new server's RAM: configs are copied, RAM sizes are not. */
public final class Memory {
    private Memory() {}

    public static long totalBytes(RemoteHost host) {
        String meminfo = host.run(Command.of("cat", "/proc/meminfo"))
                .orThrow("reading /proc/meminfo")
                .stdout();
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        throw new IllegalStateException("no MemTotal in /proc/meminfo on " + host.address());
    }

    /** OK inside [low, high] of RAM, else a warning with the recommended value. */
    public static Check judge(String name, long value, long ram, double low, double high, long recommended) {
        double share = (double) value / ram;
        String detail = String.format(
                java.util.Locale.ROOT,
                "%s = %d MiB, %.0f%% of %d MiB RAM; recommended %d MiB",
                name,
                value >> 20,
                share * 100,
                ram >> 20,
                recommended >> 20);
        return share >= low && share <= high ? Check.ok(name, detail) : Check.warn(name, detail);
    }
}
