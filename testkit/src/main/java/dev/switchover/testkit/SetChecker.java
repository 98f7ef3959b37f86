package dev.switchover.testkit;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Jepsen's set checker: after the run, every acknowledged id must be on the new primary (else it
 * was lost) and every id there must have been attempted (else it came from nowhere). Ids whose
 * outcome was unknown may be either present or absent.
 */
public final class SetChecker {
    private SetChecker() {}

    /** {@code failedButPresent}: refused by the database, yet applied — also an anomaly. */
    public record Verdict(
            Set<Long> lost,
            Set<Long> unexpected,
            Set<Long> failedButPresent,
            long acknowledged,
            long failed,
            long unknown,
            long present) {
        public boolean valid() {
            return lost.isEmpty() && unexpected.isEmpty() && failedButPresent.isEmpty();
        }
    }

    public static Verdict check(Map<Long, SetWriter.Outcome> attempted, Set<Long> present) {
        Set<Long> lost = new TreeSet<>();
        Set<Long> unexpected = new TreeSet<>();
        Set<Long> failedButPresent = new TreeSet<>();
        long ack = 0;
        long failed = 0;
        long unknown = 0;
        for (var e : attempted.entrySet()) {
            switch (e.getValue()) {
                case ACKNOWLEDGED -> {
                    ack++;
                    if (!present.contains(e.getKey())) lost.add(e.getKey());
                }
                case FAILED -> {
                    failed++;
                    if (present.contains(e.getKey())) failedButPresent.add(e.getKey());
                }
                case UNKNOWN -> unknown++;
            }
        }
        for (Long id : present) {
            if (!attempted.containsKey(id)) unexpected.add(id);
        }
        return new Verdict(lost, unexpected, failedButPresent, ack, failed, unknown, present.size());
    }
}
