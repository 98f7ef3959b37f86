package dev.switchover.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.switchover.activities.ssh.RemoteHost;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Every remote command the worker in this process runs, with its duration, as RemoteHost logs it
 * at debug level when it ends ({@code "{}: exit {} after {} ms"}). No timing is added to the
 * product for the bench: it reads what the worker already says.
 */
final class ToolLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    /** One command: what ran (address: display), when it ended, how long it took. */
    record Ran(String shown, Instant ended, double seconds) {
        Instant started() {
            return ended.minusNanos((long) (seconds * 1e9));
        }
    }

    private final List<Ran> ran = new CopyOnWriteArrayList<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RemoteHost.class);
    private final Level level;
    private final boolean additive;

    private ToolLog() {
        level = logger.getLevel();
        additive = logger.isAdditive();
    }

    /** Captures from now until closed; the commands are not printed meanwhile. */
    static ToolLog capture() {
        ToolLog log = new ToolLog();
        log.setContext(log.logger.getLoggerContext());
        log.start();
        log.logger.addAppender(log);
        log.logger.setLevel(Level.DEBUG);
        log.logger.setAdditive(false);
        return log;
    }

    /**
     * The engine's remote commands at warning level only: a bench's output is its figures, not the
     * hundred commands behind each.
     */
    static void quietRemoteCommands() {
        ((Logger) LoggerFactory.getLogger(RemoteHost.class)).setLevel(Level.WARN);
    }

    @Override
    protected void append(ILoggingEvent e) {
        Object[] args = e.getArgumentArray();
        if (args != null && args.length == 3 && e.getMessage().endsWith("exit {} after {} ms")) {
            ran.add(new Ran(
                    String.valueOf(args[0]),
                    Instant.ofEpochMilli(e.getTimeStamp()),
                    ((Number) args[2]).longValue() / 1000.0));
        }
    }

    List<Ran> ran() {
        return List.copyOf(ran);
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(level);
        logger.setAdditive(additive);
        stop();
    }
}
