package dev.switchover.workflows;

import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.spec.DurationText;
import dev.switchover.workflows.status.CatchUpProgress;
import dev.switchover.workflows.status.CatchUpProgress.Trend;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The lag's rate of change over the last {@link #WINDOW} of samples (a least-squares slope, so
 * one noisy sample does not swing it), judged from the first {@link #FIRST_JUDGEMENT}: a lag that
 * does not shrink, or shrinks too slowly to reach zero before the deadline, is "not converging"
 * within a minute, whatever the deadline. Deterministic: only the samples and their times count.
 */
final class LagTrend {
    static final Duration WINDOW = Duration.ofMinutes(2);
    static final Duration FIRST_JUDGEMENT = Duration.ofSeconds(20);
    /** Below this a lag neither grows nor shrinks: replication's own noise on an idle source. */
    private static final double STEADY_BYTES_PER_SECOND = 1024;

    /** One sample's lag and when it was taken; public so that a continued run carries the window. */
    public record Point(Instant at, long lagBytes) {}

    private final Deque<Point> points = new ArrayDeque<>();

    /** A sample at {@code at}; one without a known lag (not streaming) starts the window again. */
    void add(LagSample sample, Instant at) {
        if (sample == null || !sample.streaming() || sample.lagBytes() == Long.MAX_VALUE) {
            points.clear();
            return;
        }
        points.addLast(new Point(at, sample.lagBytes()));
        while (points.size() > 2
                && Duration.between(points.peekFirst().at(), at).compareTo(WINDOW) > 0) {
            points.removeFirst();
        }
    }

    /** The samples in the window, oldest first. */
    java.util.List<Point> points() {
        return java.util.List.copyOf(points);
    }

    /** Takes over a window carried from an earlier run. */
    void restore(java.util.List<Point> carried) {
        points.clear();
        if (carried != null) points.addAll(carried);
    }

    /**
     * The progress so far, or null before {@link #FIRST_JUDGEMENT} of streaming samples. "In sync"
     * is the lag under {@code maxLagBytes}, as the catch-up itself judges it.
     */
    CatchUpProgress progress(Instant deadline, long maxLagBytes) {
        if (points.size() < 3) return null;
        Instant first = points.peekFirst().at();
        Point last = points.peekLast();
        if (Duration.between(first, last.at()).compareTo(FIRST_JUDGEMENT) < 0) return null;
        double rate = slope(first);
        Trend trend = rate <= -STEADY_BYTES_PER_SECOND
                ? Trend.SHRINKING
                : rate >= STEADY_BYTES_PER_SECOND ? Trend.GROWING : Trend.STEADY;
        String moving = switch (trend) {
            case SHRINKING -> "lag shrinking by " + perSecond(-rate);
            case GROWING -> "lag growing by " + perSecond(rate);
            case STEADY -> "lag steady";
        };
        if (last.lagBytes() <= maxLagBytes) {
            return new CatchUpProgress(rate, trend, last.at(), true, moving + ", within " + Lag.bytes(maxLagBytes));
        }
        if (trend == Trend.SHRINKING) {
            Duration left = Duration.ofSeconds((long) Math.ceil((last.lagBytes() - maxLagBytes) / -rate));
            Instant at = last.at().plus(left);
            boolean inTime = deadline == null || !at.isAfter(deadline);
            return new CatchUpProgress(
                    rate,
                    trend,
                    at,
                    inTime,
                    moving + ": in sync in about " + DurationText.format(left)
                            + " (" + at.truncatedTo(ChronoUnit.SECONDS) + ")"
                            + (inTime
                                    ? ""
                                    : ", after the catch-up deadline " + deadline.truncatedTo(ChronoUnit.SECONDS)
                                            + ": NOT CONVERGING in time"));
        }
        return new CatchUpProgress(
                rate,
                trend,
                null,
                false,
                moving + " at " + Lag.bytes(last.lagBytes()) + ": NOT CONVERGING"
                        + (trend == Trend.GROWING ? ", the source writes faster than the target applies" : ""));
    }

    /** Least-squares slope of lag over time, bytes per second. */
    private double slope(Instant origin) {
        double n = points.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Point p : points) {
            double x = Duration.between(origin, p.at()).toMillis() / 1000.0;
            double y = p.lagBytes();
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? 0 : (n * sxy - sx * sy) / d;
    }

    private static String perSecond(double bytesPerSecond) {
        return Lag.bytes((long) bytesPerSecond) + "/s";
    }
}
