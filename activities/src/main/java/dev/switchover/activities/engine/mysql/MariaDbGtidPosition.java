package dev.switchover.activities.engine.mysql;

import java.util.Map;
import java.util.TreeMap;

/**
 * A MariaDB GTID position ("0-121-57,1-121-3"): the last transaction of each replication domain.
 * Unlike MySQL's GTID sets it has no server function to compare two positions, so it is done
 * here: within a domain, sequence numbers only grow (gtid_strict_mode), whichever server wrote them.
 */
record MariaDbGtidPosition(Map<Long, Long> lastSeqByDomain) {

  static MariaDbGtidPosition parse(String text) {
    Map<Long, Long> last = new TreeMap<>();
    if (text != null) {
      for (String part : text.split(",")) {
        String p = part.strip();
        if (p.isEmpty()) continue;
        String[] f = p.split("-");
        if (f.length != 3) throw new IllegalArgumentException("not a MariaDB GTID: '" + p + "' in '" + text + "'");
        last.merge(Long.parseLong(f[0]), Long.parseLong(f[2]), Math::max);
      }
    }
    return new MariaDbGtidPosition(last);
  }

  /** Whether a server at this position has applied every transaction up to {@code other}. */
  boolean covers(MariaDbGtidPosition other) {
    return other.lastSeqByDomain.entrySet().stream()
        .allMatch(e -> lastSeqByDomain.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  /** How many transactions of {@code ahead} this position lacks. */
  long missingFrom(MariaDbGtidPosition ahead) {
    long n = 0;
    for (var e : ahead.lastSeqByDomain.entrySet()) {
      n += Math.max(0, e.getValue() - lastSeqByDomain.getOrDefault(e.getKey(), 0L));
    }
    return n;
  }
}
