package dev.switchover.worker;

import dev.switchover.worker.demo.DemoRun;
import dev.switchover.worker.demo.LabScript;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.status.MigrationStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Two lab hosts (lab/lab.sh) for an end-to-end migration test: fresh clusters, a seeded
 * {@code orders} table on the source, its fingerprint on either side, and a spec that migrates
 * between them with the lab's keys and admin password. Each test class uses its own pair of
 * names and addresses, so test classes on one machine do not share hosts.
 *
 * <pre>
 * LabPair lab = LabPair.up("wuis", "198.18.0.71", "wuit", "198.18.0.72");
 * lab.reset();
 * lab.seedOrders(20_000);
 * Files.writeString(specFile, lab.spec("orders", "manual", dir));
 * </pre>
 */
public final class LabPair {
  private final LabScript script;
  private final String source;
  private final String sourceAddress;
  private final String target;
  private final String targetAddress;
  private final String admin;

  private LabPair(LabScript script, String source, String sourceAddress, String target, String targetAddress) {
    this.script = script;
    this.source = source;
    this.sourceAddress = sourceAddress;
    this.target = target;
    this.targetAddress = targetAddress;
    this.admin = LabScript.adminPassword();
  }

  /** Creates the two hosts, or repairs them (lab.sh up). */
  public static LabPair up(String source, String sourceAddress, String target, String targetAddress) {
    LabScript script = LabScript.find();
    script.run("up", source + ":" + sourceAddress, target + ":" + targetAddress);
    return new LabPair(script, source, sourceAddress, target, targetAddress);
  }

  public String sourceAddress() {
    return sourceAddress;
  }

  public String targetAddress() {
    return targetAddress;
  }

  /** Heals the target's link and gives both hosts fresh clusters: a promoted target is refused as a copy target. */
  public void reset() {
    script.run("heal", target);
    script.run("reset", source, target);
  }

  /** {@code lab.sh ARGS...} on this lab, e.g. {@code exec NAME cmd}. */
  public String run(String... args) {
    return script.run(args);
  }

  /** An {@code orders} table of {@code rows} rows on the source. */
  public void seedOrders(long rows) throws SQLException {
    try (Connection c = connect(sourceAddress); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2),"
          + " created timestamptz NOT NULL)");
      st.execute("INSERT INTO orders SELECT g, 'customer-' || (g % 997), (g % 10000) / 100.0,"
          + " now() - g * interval '1 minute' FROM generate_series(1, " + rows + ") g");
    }
  }

  /** Row count and order-independent checksum of every row of {@code orders}. */
  public record Fingerprint(long rows, String checksum) {}

  public Fingerprint orders(String address) throws SQLException {
    try (Connection c = connect(address); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM orders t")) {
      rs.next();
      return new Fingerprint(rs.getLong(1), rs.getString(2));
    }
  }

  /** True when the server at {@code address} is a primary (not in recovery). */
  public boolean isPrimary(String address) throws SQLException {
    try (Connection c = connect(address); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT NOT pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** As the lab's postgres superuser. */
  public Connection connect(String address) throws SQLException {
    return DemoRun.connect(address, admin);
  }

  /**
   * A spec from source to target: a fast benchmark with the lab's floor (its hosts share this
   * machine's disk), a short catch-up hold, no traffic switch, no backup, the report under
   * {@code dir}. Writes the replication password to {@code dir/replication-password}.
   *
   * @param cutoverMode {@code manual} (waits for approval) or {@code automatic}
   */
  public String spec(String name, String cutoverMode, Path dir) throws IOException {
    Path secret = LabScript.replicationSecret(dir.resolve("replication-password"));
    return """
        %scutover:
          mode: %s
        traffic:
          type: none
        backup:
          enabled: false
        report:
          directory: %s
        """.formatted(LabScript.specHead(name, sourceAddress, targetAddress, secret) + LabScript.TEST_PACE, cutoverMode,
        dir.resolve("reports"));
  }

  /**
   * Polls the status query (which needs a live worker) until {@code until} holds, and returns
   * that status; fails when {@code within} passes or the migration ends first.
   */
  public static MigrationStatus awaitStatus(MigrationWorkflow wf, String what, Predicate<MigrationStatus> until,
      Duration within, Consumer<String> log) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    MigrationStatus last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = wf.status();
        if (until.test(last)) {
          log.accept(what + ": phase " + last.phase());
          return last;
        }
        if (last.phase().isTerminal()) break;
      } catch (RuntimeException e) {
        // no worker answers queries yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("not reached within " + within.toSeconds() + "s: " + what + "; last status: "
        + (last == null ? "none" : last.phase() + ", failure " + last.failure() + ", notes " + last.notes()));
  }
}
