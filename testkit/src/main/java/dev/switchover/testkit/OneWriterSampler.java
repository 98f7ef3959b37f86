package dev.switchover.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * "One writer": every 20 ms, through each door on each server, a client that is not switchover tries
 * to insert a fresh id into a probe table {@code (id, door)}. A door is a way in a client may try:
 * who logs in, from which address, with which connection options, and the statements around the
 * insert that try to get around a read-only server. Each door keeps its session and logs in again
 * whenever it lost it. What was acknowledged, when and where, and which inserts were sent or refused,
 * is kept for the checks: at no instant do two servers accept writes, and nothing acknowledged is
 * lost (with the table's ids read back, as {@link SetChecker} does for the ledger).
 */
public final class OneWriterSampler implements AutoCloseable {
    private static final long PERIOD_MS = 20;

    /** The two clocks read once together: an acknowledgement timed on the monotonic clock, in wall-clock time. */
    private static final long BASE_MILLIS = System.currentTimeMillis();

    private static final long BASE_NANOS = System.nanoTime();

    /**
     * A way in. {@code url} names the server's address with {@code %s} and carries the driver's
     * options (timeouts, TLS, PostgreSQL's {@code options}); {@code fromAddress} is the address the
     * client connects from (null: the system's choice); {@code before} runs on each new session and
     * before each insert (e.g. to turn the read-only default off), {@code after} after the insert.
     */
    public record Door(
            String name, String url, String user, String password, String fromAddress, String before, String after) {}

    /** {@code sentNanos}: when the insert was sent; {@code atNanos}: when its acknowledgement arrived. */
    public record Ack(String server, String door, long id, long sentNanos, long atNanos) {
        public long sentMillis() {
            return BASE_MILLIS + (sentNanos - BASE_NANOS) / 1_000_000;
        }

        public long atMillis() {
            return BASE_MILLIS + (atNanos - BASE_NANOS) / 1_000_000;
        }
    }

    private final String table;
    private final AtomicLong ids;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    /** Ids whose insert was sent: acknowledged, refused or unknown. */
    private final Set<Long> attempted = ConcurrentHashMap.newKeySet();

    private final Set<Long> refused = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    /** Ids from {@code firstId + 1} up, into {@code table} ({@code (id, door)}, the id its key). */
    public OneWriterSampler(String table, long firstId) {
        this.table = table;
        this.ids = new AtomicLong(firstId);
    }

    /** Starts every door against the server {@code server} (a label: "source", "target") at {@code address}. */
    public OneWriterSampler start(String server, String address, List<Door> doors) {
        for (Door door : doors) {
            // replace, not format: a URL-encoded option carries % escapes of its own
            String url = door.url().replace("%s", address);
            Thread t = new Thread(() -> loop(server, url, door), "one-writer-" + server + "-" + door.name());
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return this;
    }

    private void loop(String server, String url, Door door) {
        Connection c = null;
        while (running) {
            long started = System.nanoTime();
            try {
                if (c == null) c = connect(url, door);
                long id = ids.incrementAndGet();
                try (Statement st = c.createStatement()) {
                    if (door.before() != null) st.execute(door.before());
                    attempted.add(id);
                    long sent = System.nanoTime();
                    try {
                        st.execute("INSERT INTO " + table + " (id, door) VALUES (" + id + ", '" + door.name() + "')");
                        if (door.after() != null) st.execute(door.after());
                        acks.add(new Ack(server, door.name(), id, sent, System.nanoTime()));
                    } catch (SQLException e) {
                        if (isRefusal(e)) refused.add(id);
                        throw e;
                    }
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
                    break;
                }
            }
        }
        close(c);
    }

    /**
     * Refused for certain, nothing written: PostgreSQL's read-only transaction (25006), MySQL's and
     * MariaDB's read_only (1290). Anything else may have committed.
     */
    private static boolean isRefusal(SQLException e) {
        return "25006".equals(e.getSQLState()) || e.getErrorCode() == 1290;
    }

    private static Connection connect(String url, Door door) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", door.user());
        p.setProperty("password", door.password());
        if (door.fromAddress() != null) p.setProperty("localSocketAddress", door.fromAddress());
        return DriverManager.getConnection(url, p);
    }

    private static void close(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // a broken session is replaced by a new login
        }
    }

    /** Every acknowledgement so far. */
    public List<Ack> acks() {
        return List.copyOf(acks);
    }

    public List<Ack> acksOn(String server) {
        return acks.stream().filter(a -> a.server().equals(server)).toList();
    }

    /** Ids whose insert was sent: acknowledged, refused or unknown. */
    public Set<Long> attempted() {
        return Set.copyOf(attempted);
    }

    public int acknowledged(String server) {
        return acksOn(server).size();
    }

    /** Writes the server acknowledged that were sent after {@code at}. */
    public int acknowledgedAfter(String server, Instant at) {
        return (int) acksOn(server).stream()
                .filter(a -> a.sentMillis() > at.toEpochMilli())
                .count();
    }

    /**
     * The checks: the source took writes through at least one door before the freeze (so the doors
     * work), none sent after {@code frozenAt}, and the target's first write came after the source's
     * last.
     */
    public void assertOneWriter(Instant frozenAt) {
        long frozenAtMillis = frozenAt.toEpochMilli();
        List<Ack> onSource = acksOn("source");
        List<Ack> onTarget = acksOn("target");
        if (onSource.isEmpty()) throw new AssertionError("no door could write to the source even before the freeze");
        List<Ack> late =
                onSource.stream().filter(a -> a.sentMillis() > frozenAtMillis).toList();
        if (!late.isEmpty()) throw new AssertionError("writes the frozen source acknowledged: " + late);
        long lastOnSource = onSource.stream().mapToLong(Ack::atMillis).max().orElseThrow();
        long firstOnTarget = onTarget.stream().mapToLong(Ack::sentMillis).min().orElse(Long.MAX_VALUE);
        if (lastOnSource >= firstOnTarget) {
            throw new AssertionError("the target took a write " + (lastOnSource - firstOnTarget)
                    + " ms before the source's last: two writable servers at once");
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join(10_000);
    }
}
