package dev.switchover.starter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * For {@code start --wait}: the pending activities whose attempt number went up since the last
 * poll. Each retry is said once, however many polls it lasts.
 */
final class RetryWatch {
    /** By activity id, which stays the same across a step's attempts. */
    private final Map<String, Integer> saidAttempt = new HashMap<>();

    List<PendingActivity> newAttempts(List<PendingActivity> pending) {
        Set<String> ids = pending.stream().map(PendingActivity::activityId).collect(Collectors.toSet());
        saidAttempt.keySet().retainAll(ids);
        List<PendingActivity> fresh = new ArrayList<>();
        for (PendingActivity a : pending) {
            Integer said = saidAttempt.get(a.activityId());
            if (said != null && a.attempt() <= said) continue;
            saidAttempt.put(a.activityId(), a.attempt());
            if (a.retrying()) fresh.add(a);
        }
        return fresh;
    }
}
