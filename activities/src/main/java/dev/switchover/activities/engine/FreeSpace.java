package dev.switchover.activities.engine;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.RemoteHost;

/** Free bytes on a host's volume: where a copy will land (preflight), or where the source keeps its WAL. */
public final class FreeSpace {
    private FreeSpace() {}

    /** Bytes available at {@code dir}, or at its nearest existing parent: the directory may not exist yet. */
    public static long at(RemoteHost host, String dir) {
        String out = host.run(Command.of(
                        "sh",
                        "-c",
                        "d=\"$1\"; while [ ! -e \"$d\" ]; do d=$(dirname \"$d\"); done; df -B1 --output=avail \"$d\" | tail -n 1",
                        "sh",
                        dir))
                .orThrow("measuring free space at " + dir + " on " + host.address())
                .stdout();
        return Long.parseLong(out.strip());
    }
}
