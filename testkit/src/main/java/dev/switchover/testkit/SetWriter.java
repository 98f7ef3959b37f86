package dev.switchover.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A client that keeps inserting unique ids through a migration, recording for each id whether
 * the database acknowledged it, refused it, or left it unknown (the connection broke after the
 * statement was sent), as Jepsen's set workload does. It asks {@code primary} for the address to
 * write to before every reconnect, the way an application follows DNS or a connection string.
 */
public final class SetWriter implements Runnable {
    public enum Outcome {
        ACKNOWLEDGED,
        FAILED,
        UNKNOWN
    }

    public record Ack(long id, long atNanos) {}

    /** How the writer logs in to the primary at an address. */
    @FunctionalInterface
    public interface Login {
        Connection connect(String address) throws SQLException;
    }

    private final Supplier<String> primary;
    private final Login login;
    private final String table;
    private final long pauseMicros;
    private final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile Thread thread;
    private final long wallMinusNanoTime;

    /** A writer to PostgreSQL's postgres database. */
    public SetWriter(Supplier<String> primary, int port, String user, String password, String table, long pauseMicros) {
        this(primary, address -> postgres(address, port, user, password), table, pauseMicros);
    }

    public SetWriter(Supplier<String> primary, Login login, String table, long pauseMicros) {
        this.primary = primary;
        this.login = login;
        this.table = table;
        this.pauseMicros = pauseMicros;
        this.wallMinusNanoTime = epochNanos(Instant.now()) - System.nanoTime();
    }

    /** The primary's address as written in a file by the traffic-switch hook. */
    public static Supplier<String> fromFile(Path file) {
        return () -> {
            try {
                return Files.readString(file).strip();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read the current primary from " + file, e);
            }
        };
    }

    public void start() {
        thread = new Thread(this, "set-writer");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() throws InterruptedException {
        stop.set(true);
        if (thread != null) thread.join(30_000);
    }

    @Override
    public void run() {
        long next = 1;
        Connection c = null;
        while (!stop.get()) {
            try {
                if (c == null) c = connect();
                long id = next++;
                try (PreparedStatement st = c.prepareStatement("INSERT INTO " + table + " (id) VALUES (?)")) {
                    st.setLong(1, id);
                    try {
                        st.executeUpdate();
                        outcomes.put(id, Outcome.ACKNOWLEDGED);
                        acks.add(new Ack(id, System.nanoTime()));
                    } catch (SQLException e) {
                        outcomes.put(id, definitelyNotApplied(e) ? Outcome.FAILED : Outcome.UNKNOWN);
                        throw e;
                    }
                }
                if (pauseMicros > 0) Thread.sleep(pauseMicros / 1000, (int) (pauseMicros % 1000) * 1000);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
                c = null;
                sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeQuietly(c);
    }

    /**
     * An error the server reported about the statement itself (read-only, constraint) means it
     * was not applied; a broken connection leaves it unknown, and so does a statement interrupted
     * by a killed session (MySQL's and MariaDB's 70100), which may have committed before the kill.
     */
    static boolean definitelyNotApplied(SQLException e) {
        String state = e.getSQLState();
        if (state == null || e instanceof SQLTransientConnectionException) return false;
        return !state.startsWith("08") && !state.startsWith("57P") && !state.equals("70100");
    }

    private Connection connect() throws SQLException {
        Connection c = login.connect(primary.get());
        c.setAutoCommit(true);
        return c;
    }

    private static Connection postgres(String address, int port, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "2");
        p.setProperty("socketTimeout", "5");
        p.setProperty("ApplicationName", "switchover-demo-writer");
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":" + port + "/postgres", p);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // the connection is already gone
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Map<Long, Outcome> outcomes() {
        return Map.copyOf(outcomes);
    }

    /** The longest time between two consecutive acknowledged writes: what the application saw. */
    public double longestGapSeconds() {
        return longestGapNanos(acks, Long.MIN_VALUE, Long.MAX_VALUE) / 1e9;
    }

    /**
     * The longest time between two consecutive acknowledged writes that overlaps {@code from} to
     * {@code to} (the second write after {@code from}, the first before {@code to}): the pause seen
     * around an event such as the cutover, without an unrelated hiccup elsewhere in the run.
     */
    public double longestGapSeconds(Instant from, Instant to) {
        return longestGapNanos(acks, toNanoTime(from), toNanoTime(to)) / 1e9;
    }

    static long longestGapNanos(Iterable<Ack> acks, long from, long to) {
        long prev = -1;
        long longest = 0;
        for (Ack a : acks) {
            if (prev >= 0 && a.atNanos() >= from && prev <= to) longest = Math.max(longest, a.atNanos() - prev);
            prev = a.atNanos();
        }
        return longest;
    }

    /** Acknowledgements are timed by the monotonic clock; events elsewhere by the wall clock. */
    private long toNanoTime(Instant at) {
        return epochNanos(at) - wallMinusNanoTime;
    }

    private static long epochNanos(Instant at) {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    public long acknowledged() {
        return outcomes.values().stream().filter(o -> o == Outcome.ACKNOWLEDGED).count();
    }
}
