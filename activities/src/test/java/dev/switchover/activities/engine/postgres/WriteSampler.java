package dev.switchover.activities.engine.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single-writer sampler: every 20 ms, through each door on each server, a client tries to
 * insert a fresh id into {@code probe(id, door)}. A door is a way in a client may try: a role, the
 * address it comes from, and what it does to the session's read-only default. Each door keeps its
 * session and logs in again whenever it lost it. What was acknowledged, when, and where is kept for
 * the checks: at no instant two servers accept writes, and nothing acknowledged is lost.
 */
final class WriteSampler implements AutoCloseable {
    private static final long PERIOD_MS = 20;

    /** A way in: who logs in, from where, with which connection options, and the statements around the insert. */
    record Door(
            String name,
            String user,
            String password,
            String fromAddress,
            String options,
            String before,
            String after) {}

    /** {@code sentNanos}: when the insert was sent; {@code atNanos}: when its acknowledgement arrived. */
    record Ack(String server, String door, long id, long sentNanos, long atNanos) {}

    private final AtomicLong ids;
    private final List<Thread> threads = new ArrayList<>();
    final List<Ack> acks = new CopyOnWriteArrayList<>();
    /** Ids whose insert was sent: acknowledged, refused or unknown. */
    final Set<Long> attempted = ConcurrentHashMap.newKeySet();

    final Set<Long> refused = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    WriteSampler(long firstId) {
        ids = new AtomicLong(firstId);
    }

    void start(String server, String address, List<Door> doors) {
        for (Door door : doors) {
            Thread t = new Thread(() -> loop(server, address, door), "sampler-" + server + "-" + door.name());
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private void loop(String server, String address, Door door) {
        Connection c = null;
        while (running) {
            long started = System.nanoTime();
            try {
                if (c == null) c = connect(address, door);
                long id = ids.incrementAndGet();
                try (Statement st = c.createStatement()) {
                    if (door.before() != null) st.execute(door.before());
                    attempted.add(id);
                    long sent = System.nanoTime();
                    try {
                        st.execute("INSERT INTO probe VALUES (" + id + ", '" + door.name() + "@" + server + "')");
                        if (door.after() != null) st.execute(door.after());
                        acks.add(new Ack(server, door.name(), id, sent, System.nanoTime()));
                    } catch (SQLException e) {
                        if (isRefusal(e)) refused.add(id);
                        throw e;
                    }
                }
            } catch (SQLException e) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (SQLException ignored) {
                        // a broken session is replaced
                    }
                }
                c = null;
            }
            long left = PERIOD_MS - (System.nanoTime() - started) / 1_000_000;
            if (left > 0) sleep(left);
        }
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // done
            }
        }
    }

    /** Refused for certain: nothing was written (read-only). Anything else may have committed. */
    private static boolean isRefusal(SQLException e) {
        return "25006".equals(e.getSQLState());
    }

    private static Connection connect(String address, Door door) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", door.user());
        p.setProperty("password", door.password());
        p.setProperty("connectTimeout", "2");
        p.setProperty("socketTimeout", "5");
        p.setProperty("localSocketAddress", door.fromAddress());
        if (door.options() != null) p.setProperty("options", door.options());
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":5432/postgres", p);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<Ack> acksOn(String server) {
        return acks.stream().filter(a -> a.server().equals(server)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join(10_000);
    }
}
