package dev.switchover.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median and worst of a handful of runs. */
public final class Stats {
    private Stats() {}

    public static double median(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Three decimals: the results are read by people, and noise is larger than a millisecond. */
    public static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
