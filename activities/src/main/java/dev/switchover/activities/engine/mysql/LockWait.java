package dev.switchover.activities.engine.mysql;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Statements that wait for other sessions' locks, bounded: SET GLOBAL read_only waits for every
 * running write statement, and every new write queues behind it meanwhile, so the wait is the
 * clients' stall. The session's lock_wait_timeout bounds it; should the server wait anyway, a
 * second session kills the statement a little later, so that no session of ours is left waiting.
 */
final class LockWait {
    private static final Logger log = LoggerFactory.getLogger(LockWait.class);
    /** ER_LOCK_WAIT_TIMEOUT and ER_QUERY_INTERRUPTED. */
    private static final int TIMED_OUT = 1205;

    private static final int INTERRUPTED = 1317;
    /** How long after lock_wait_timeout the second session steps in. */
    private static final Duration GRACE = Duration.ofSeconds(2);

    private final Duration limit;
    private final Supplier<MySqlSession> another;

    LockWait(Duration limit, Supplier<MySqlSession> another) {
        this.limit = limit;
        this.another = another;
    }

    long seconds() {
        return Math.max(1, (limit.toMillis() + 999) / 1000);
    }

    /** Runs {@code sql}; false if it gave up waiting for a lock within the limit. */
    boolean run(MySqlSession s, String sql) {
        s.execute("SET SESSION lock_wait_timeout = " + seconds());
        String id = s.one("SELECT CONNECTION_ID()");
        Object monitor = new Object();
        boolean[] state = new boolean[2]; // [0] finished, [1] killed
        Thread watchdog = new Thread(
                () -> {
                    try {
                        Thread.sleep(seconds() * 1000 + GRACE.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                    synchronized (monitor) {
                        if (state[0]) return;
                        state[1] = true;
                        try (MySqlSession other = another.get()) {
                            other.execute("KILL QUERY " + Long.parseLong(id));
                        } catch (RuntimeException e) {
                            log.warn(
                                    "could not stop our own waiting statement {} on session {}: {}",
                                    sql,
                                    id,
                                    e.getMessage());
                        }
                    }
                },
                "lock-wait-" + id);
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            s.execute(sql);
            return true;
        } catch (RuntimeException e) {
            int code = MySqlSession.errorCode(e);
            synchronized (monitor) {
                if (code == TIMED_OUT || code == INTERRUPTED || state[1]) return false;
            }
            throw e;
        } finally {
            synchronized (monitor) {
                state[0] = true;
            }
            watchdog.interrupt();
        }
    }
}
