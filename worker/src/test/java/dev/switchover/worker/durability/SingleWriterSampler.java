package dev.switchover.worker.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * "One writer": every 20 ms, through each door on each server, a client that is not switchover
 * tries to insert a fresh id into {@code probe}, from before the freeze to after DONE. A door is a
 * login from the clients' address ({@link LabHost#CLIENT_ADDRESS}, another machine than the
 * worker's) with statements that try to get around a read-only server. At no instant may two
 * servers acknowledge writes, and once the source was frozen it never may again.
 */
final class SingleWriterSampler implements AutoCloseable {
    private static final long PERIOD_MS = 20;

    /** {@code before}: run on each new session and before each insert, e.g. to turn a read-only default off. */
    record Door(String name, String url, String user, String password, String before) {}

    /** Wall-clock milliseconds, to compare with the workflow's own times. */
    record Ack(String server, String door, long sentMillis, long atMillis) {}

    private final AtomicLong ids = new AtomicLong(System.currentTimeMillis() * 1000);
    private final List<Thread> threads = new ArrayList<>();
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    /** Starts every door against both servers: {@code doors.get(i)} uses the server's address in its URL ({@code %s}). */
    private final String table;

    SingleWriterSampler(String sourceAddress, String targetAddress, List<Door> doors, String table) {
        this.table = table;
        for (String[] server :
                List.of(new String[] {"source", sourceAddress}, new String[] {"target", targetAddress})) {
            for (Door door : doors) {
                Thread t = new Thread(
                        () -> loop(server[0], String.format(door.url(), server[1]), door),
                        "one-writer-" + server[0] + "-" + door.name());
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }
    }

    private void loop(String server, String url, Door door) {
        Connection c = null;
        while (running) {
            long started = System.nanoTime();
            try {
                if (c == null) {
                    Properties p = new Properties();
                    p.setProperty("user", door.user());
                    p.setProperty("password", door.password());
                    p.setProperty("localSocketAddress", LabHost.CLIENT_ADDRESS);
                    c = DriverManager.getConnection(url, p);
                }
                try (Statement st = c.createStatement()) {
                    if (door.before() != null) st.execute(door.before());
                    long sent = System.currentTimeMillis();
                    st.execute("INSERT INTO " + table + " (id, door) VALUES (" + ids.incrementAndGet() + ", '"
                            + door.name() + "')");
                    acks.add(new Ack(server, door.name(), sent, System.currentTimeMillis()));
                }
            } catch (SQLException e) {
                close(c);
                c = null;
            }
            long left = PERIOD_MS - (System.nanoTime() - started) / 1_000_000;
            if (left > 0) {
                try {
                    Thread.sleep(left);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        close(c);
    }

    private static void close(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // replaced by a new login
        }
    }

    /**
     * The checks: the source took writes through at least one door before the freeze (so the doors
     * work), none sent after {@code frozenAt}, and the target's first write came after the source's
     * last.
     */
    void assertOneWriter(java.time.Instant frozenAt) {
        long frozenAtMillis = frozenAt.toEpochMilli();
        List<Ack> onSource =
                acks.stream().filter(a -> a.server().equals("source")).toList();
        List<Ack> onTarget =
                acks.stream().filter(a -> a.server().equals("target")).toList();
        assertTrue(!onSource.isEmpty(), "no door could write to the source even before the freeze");
        assertEquals(
                List.of(),
                onSource.stream().filter(a -> a.sentMillis() > frozenAtMillis).toList(),
                "writes the frozen source acknowledged");
        long lastOnSource = onSource.stream().mapToLong(Ack::atMillis).max().orElseThrow();
        long firstOnTarget = onTarget.stream().mapToLong(Ack::sentMillis).min().orElse(Long.MAX_VALUE);
        assertTrue(
                lastOnSource < firstOnTarget,
                "the target took a write " + (lastOnSource - firstOnTarget)
                        + " ms before the source's last: two writable servers at once");
    }

    /** Writes the server acknowledged that were sent after {@code at}. */
    int acknowledgedAfter(String server, java.time.Instant at) {
        return (int) acks.stream()
                .filter(a -> a.server().equals(server) && a.sentMillis() > at.toEpochMilli())
                .count();
    }

    int acknowledged(String server) {
        return (int) acks.stream().filter(a -> a.server().equals(server)).count();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join(10_000);
    }
}
