package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.engine.Pause;
import java.time.Duration;
import java.util.List;

/**
 * The source's client sessions: all but the calling session, replication's (the replica's
 * binlog dump and the replication account) and the server's own threads.
 */
final class ClientSessions {
    /** A client session as the processlist shows it; {@code statement} is cut short. */
    record Session(String id, String user, String host, long seconds, String statement) {
        @Override
        public String toString() {
            return "id " + id + " " + user + "@" + host + ", " + seconds + " s"
                    + (statement == null ? ", idle" : ": " + statement);
        }
    }

    private static final int STATEMENT_CHARS = 200;
    private static final String CLIENTS = " FROM information_schema.processlist WHERE id <> CONNECTION_ID()"
            + " AND command NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Slave_IO', 'Slave_SQL', 'Slave_worker')"
            // A login still in its handshake ('unauthenticated user') can run nothing, and with the
            // accounts locked it is refused: ending it is pointless, and clients retrying every few
            // milliseconds would keep such sessions in the list for ever.
            + " AND user NOT IN ('system user', 'event_scheduler', 'DELAYED', 'unauthenticated user') AND user <> ?";

    private final String replicationUser;
    private final String server;

    ClientSessions(String replicationUser) {
        this(replicationUser, "source");
    }

    /** {@code replicationUser} may be null (the target: nobody replicates from it); {@code server} names it in failures. */
    ClientSessions(String replicationUser, String server) {
        this.replicationUser = replicationUser == null ? "" : replicationUser;
        this.server = server;
    }

    List<Session> all(MySqlSession s) {
        return list(s, "");
    }

    /** The sessions running a statement, longest first: those a freeze waits for. */
    List<Session> running(MySqlSession s) {
        return list(s, " AND info IS NOT NULL AND command <> 'Sleep' ORDER BY time DESC");
    }

    private List<Session> list(MySqlSession s, String more) {
        return s
                .rows(
                        "SELECT id, user, host, time, LEFT(info, " + (STATEMENT_CHARS + 1) + ")" + CLIENTS + more,
                        replicationUser)
                .stream()
                .map(r -> new Session(
                        r.get(0), r.get(1), r.get(2), r.get(3) == null ? 0 : Long.parseLong(r.get(3)), cut(r.get(4))))
                .toList();
    }

    private static String cut(String statement) {
        if (statement == null) return null;
        String one = statement.replaceAll("\\s+", " ").strip();
        return one.length() > STATEMENT_CHARS ? one.substring(0, STATEMENT_CHARS) + "…" : one;
    }

    /**
     * Ends every client session, again until none is left (a login racing the account locks), and
     * returns how many it ended; fails if some outlive {@code wait}.
     */
    int endAll(MySqlSession s, Duration wait) {
        java.util.Set<String> ended = new java.util.HashSet<>();
        Pause.until(wait, Duration.ofMillis(20), () -> {
            List<Session> left = all(s);
            for (Session c : left) {
                if (ended.add(c.id())) kill(s, c.id());
            }
            return left.isEmpty();
        });
        List<Session> left = all(s);
        if (!left.isEmpty()) {
            throw new IllegalStateException(left.size() + " client sessions on the " + server + " did not end within "
                    + wait.toSeconds() + " s of KILL: " + left + "; the step will be retried");
        }
        return ended.size();
    }

    static void kill(MySqlSession s, String id) {
        try {
            s.execute("KILL CONNECTION " + Long.parseLong(id));
        } catch (IllegalStateException e) {
            // it ended before it could be killed
        }
    }
}
