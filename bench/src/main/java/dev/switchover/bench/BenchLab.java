package dev.switchover.bench;

import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.LabSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lab hosts the base-copy and overhead benchmarks run on, and the few lab.sh calls they make.
 * Both use bos and bot, hosts of their own: not MetricsDuringMigrationIT's hosts mts and mtt. The
 * overhead run resets both, so a base copy run after it generates its source database again.
 */
final class BenchLab {
    static final String SOURCE = LabHost.BOS.hostName();
    static final String SOURCE_ADDRESS = LabHost.BOS.address();
    static final String TARGET = LabHost.BOT.hostName();
    static final String TARGET_ADDRESS = LabHost.BOT.address();
    static final String DATA_DIR = "/var/lib/postgresql/15/main";

    /** Creates or repairs both hosts. */
    BenchLab up() {
        Lab.run("up", SOURCE + ":" + SOURCE_ADDRESS, TARGET + ":" + TARGET_ADDRESS);
        return this;
    }

    /** Both hosts as a pair for a whole migration (lab.sh up). */
    static LabPair pair() {
        return LabPair.up(LabHost.BOS, LabHost.BOT);
    }

    /** {@code lab.sh ARGS...}. */
    String run(String... args) {
        return Lab.run(args);
    }

    /** A shell line as root on {@code host}; its output, or an exception with it. */
    String sh(String host, String line) {
        return Lab.run("exec", host, "sh", "-c", line);
    }

    /** A shell line as postgres on {@code host}: its ~/.pgpass and peer login to the local cluster. */
    String asPostgres(String host, String line) {
        // From /: postgres may not enter root's home, where lab.sh exec starts.
        return sh(host, "cd / && runuser -u postgres -- bash -c " + quote(line));
    }

    /** Seconds of wall time a shell line as postgres takes on {@code host}. */
    double timedAsPostgres(String host, String line) {
        long t0 = System.nanoTime();
        asPostgres(host, line);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Every run starts with a cold page cache: the lab hosts share this machine's memory, so a copy
     * right after another would otherwise read the source from RAM.
     */
    void dropCaches() {
        try {
            new ProcessBuilder("sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches")
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot drop the page cache: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** tc tbf on the target's link, both directions; {@code off} removes it. */
    void rate(String rate) {
        Lab.run("rate", TARGET, rate);
    }

    /**
     * {@code lines} as postgres's ~/.pgpass on {@code host} (mode 600), written from the root
     * namespace so that no password is on a command line.
     */
    void pgpass(String host, String lines) throws IOException {
        Path file = Path.of(LabSpec.STATE, "hosts", host, "fs", "var-lib-postgresql", ".pgpass");
        // Created private, so the passwords are never readable by others, not even until the chmod.
        Files.deleteIfExists(file);
        Files.createFile(
                file,
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, lines);
        sh(host, "chown postgres:postgres /var/lib/postgresql/.pgpass && chmod 600 /var/lib/postgresql/.pgpass");
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
