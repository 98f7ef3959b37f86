package dev.switchover.bench;

import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.SetWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One engine's hosts for the cutover benchmark: how the application reaches the primary (its
 * writer) and how the migration moves it there (the spec's {@code traffic:} block).
 */
abstract class CutoverLab {
    /** Rows in the table the migration copies: a small one, the benchmark is about the cutover. */
    static final long ROWS = 20_000;
    /** The writer's pause after each commit: about 500 transactions a second. */
    static final long WRITER_PAUSE_MICROS = 2000;
    /** The table the writer inserts its ids into. */
    static final String WRITES = "writes";
    /** Every host of every engine, for a bench killed before its labs were closed. */
    static final List<String> ALL_HOSTS =
            List.of(LabHost.BCB, LabHost.BCS, LabHost.BCT, LabHost.BMS, LabHost.BMT).stream()
                    .map(LabHost::hostName)
                    .toList();

    private final String engine;
    private final String method;
    private final LabPair pair;
    private final ReplicationMethod replication;
    private final AtomicInteger logins = new AtomicInteger();

    CutoverLab(String engine, String method, LabPair pair, ReplicationMethod replication) {
        this.engine = engine;
        this.method = method;
        this.pair = pair;
        this.replication = replication;
    }

    /** The key of its figures in latest.json: {@code postgresql}, {@code postgresql-logical}, {@code mysql}. */
    final String engine() {
        return engine;
    }

    /** How the writer follows the cutover, for the Markdown's line on method. */
    final String method() {
        return method;
    }

    final LabPair pair() {
        return pair;
    }

    /** The writer's logins since the last {@link #fresh}: 1 means it never had to reconnect. */
    final int logins() {
        return logins.get();
    }

    /** Fresh servers (the last run's target is a promoted copy the wipe guard refuses), seeded. */
    final void fresh() throws Exception {
        pair.reset();
        replication.sourceBeforeWriter().accept(pair);
        started();
        pair.seedOrders(ROWS);
        pair.createWrites(WRITES);
        pair.createApp();
        logins.set(0);
    }

    /** The application: one writer committing single-row inserts, autocommit. */
    final SetWriter writer(Path dir) throws Exception {
        SetWriter.Login login = login();
        return new SetWriter(
                primary(dir),
                address -> {
                    logins.incrementAndGet();
                    return login.connect(address);
                },
                pair.table(WRITES),
                WRITER_PAUSE_MICROS);
    }

    /** The migration's spec, automatic cutover, with this lab's traffic block and replication method. */
    final String spec(String name, Path dir) throws IOException {
        return replication.apply(pair.spec(name, "automatic", dir, traffic(dir)));
    }

    /** What runs beside the fresh servers, started after each reset. */
    abstract void started() throws Exception;

    /** Where the writer asks for the primary's address before each login. */
    abstract Supplier<String> primary(Path dir) throws Exception;

    /** How the application logs in at an address. */
    abstract SetWriter.Login login();

    /** The spec's {@code traffic:} block, at the top level. */
    abstract String traffic(Path dir);

    /**
     * Stops its hosts: the engines' hosts share addresses (the lab reserves five for this bench),
     * so the next engine's hosts can only come up once these are down.
     */
    abstract void close();
}
