package dev.switchover.activities.engine.mysql;

import java.util.ArrayList;
import java.util.List;
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
                if (f.length != 3)
                    throw new IllegalArgumentException("not a MariaDB GTID: '" + p + "' in '" + text + "'");
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

    /** The GTIDs of a position text as domain → {server id, seq}, the highest seq of each domain. */
    static Map<Long, long[]> lastGtids(String text) {
        Map<Long, long[]> last = new TreeMap<>();
        if (text == null) return last;
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            String[] f = p.split("-");
            if (f.length != 3) throw new IllegalArgumentException("not a MariaDB GTID: '" + p + "' in '" + text + "'");
            long[] gtid = {Long.parseLong(f[1]), Long.parseLong(f[2])};
            last.merge(Long.parseLong(f[0]), gtid, (a, b) -> a[1] >= b[1] ? a : b);
        }
        return last;
    }

    /**
     * The GTIDs in {@code targetPositions} (say gtid_binlog_pos and gtid_current_pos) that a server at
     * {@code source} never wrote: a domain the source has no transaction in, a higher seq_no, or the
     * same seq_no written by another server. Empty when the target holds nothing of its own.
     */
    static List<String> errant(String source, String... targetPositions) {
        Map<Long, long[]> theirs = lastGtids(source);
        List<String> out = new ArrayList<>();
        for (String position : targetPositions) {
            for (var e : lastGtids(position).entrySet()) {
                long[] t = e.getValue();
                long[] s = theirs.get(e.getKey());
                boolean own = s == null || t[1] > s[1] || (t[1] == s[1] && t[0] != s[0]);
                String gtid = e.getKey() + "-" + t[0] + "-" + t[1];
                if (own && !out.contains(gtid)) out.add(gtid);
            }
        }
        return out;
    }

    /** Whether two positions end in the same transaction in every domain. */
    static boolean same(String a, String b) {
        Map<Long, long[]> x = lastGtids(a);
        Map<Long, long[]> y = lastGtids(b);
        return x.keySet().equals(y.keySet())
                && x.entrySet().stream().allMatch(e -> java.util.Arrays.equals(e.getValue(), y.get(e.getKey())));
    }
}
