package dev.switchover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.status.CatchUpProgress;
import dev.switchover.workflows.status.CatchUpProgress.Trend;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LagTrendTest {
    private static final Instant T0 = Instant.parse("2026-12-06T23:00:00Z");
    private static final long MIB = 1L << 20;
    private static final long THRESHOLD = MIB;

    private static LagSample lag(long bytes) {
        return new LagSample(true, bytes, 1.0, "0/1", "0/0", "streaming");
    }

    /** Samples every 5 s for {@code seconds}, lag starting at {@code start} and moving by {@code perSecond}. */
    private static LagTrend sampled(long start, long perSecond, int seconds) {
        LagTrend t = new LagTrend();
        for (int s = 0; s <= seconds; s += 5) t.add(lag(start + perSecond * s), T0.plusSeconds(s));
        return t;
    }

    @Test
    void noJudgementBeforeTwentySecondsOfStreaming() {
        assertNull(sampled(100 * MIB, -MIB, 15).progress(T0.plus(Duration.ofHours(1)), THRESHOLD));
    }

    @Test
    void aShrinkingLagGivesTheRateAndWhenItWillBeInSync() {
        CatchUpProgress p = sampled(100 * MIB, -MIB, 30).progress(T0.plus(Duration.ofHours(1)), THRESHOLD);
        assertEquals(Trend.SHRINKING, p.trend());
        assertEquals(-MIB, p.lagBytesPerSecond(), 1.0);
        // 70 MiB left at 23:00:30, 69 above the threshold at 1 MiB/s: 23:01:39.
        assertEquals(Instant.parse("2026-12-06T23:01:39Z"), p.inSyncAt());
        assertTrue(p.converging());
        assertEquals("lag shrinking by 1.0 MiB/s: in sync in about 1m9s (2026-12-06T23:01:39Z)", p.summary());
    }

    @Test
    void aLagThatShrinksTooSlowlyForTheDeadlineIsNotConvergingWithinTheFirstMinute() {
        CatchUpProgress p = sampled(100 * MIB, -10 * 1024, 30).progress(T0.plus(Duration.ofMinutes(10)), THRESHOLD);
        assertEquals(Trend.SHRINKING, p.trend());
        assertFalse(p.converging(), p.summary());
        assertTrue(
                p.summary().contains("after the catch-up deadline 2026-12-06T23:10:00Z: NOT CONVERGING in time"),
                p.summary());
    }

    @Test
    void aGrowingLagIsNotConverging() {
        CatchUpProgress p = sampled(10 * MIB, 2 * MIB, 25).progress(null, THRESHOLD);
        assertEquals(Trend.GROWING, p.trend());
        assertFalse(p.converging());
        assertNull(p.inSyncAt());
        assertTrue(p.summary().startsWith("lag growing by 2.0 MiB/s at 60.0 MiB: NOT CONVERGING"), p.summary());
    }

    @Test
    void aSteadyLagAboveTheThresholdIsNotConvergingButOneWithinItIs() {
        assertFalse(sampled(50 * MIB, 0, 30).progress(null, THRESHOLD).converging());
        CatchUpProgress within = sampled(4096, 0, 30).progress(null, THRESHOLD);
        assertTrue(within.converging(), within.summary());
        assertEquals("lag steady, within 1.0 MiB", within.summary());
    }

    @Test
    void aTargetThatStopsStreamingStartsTheJudgementAgain() {
        LagTrend t = sampled(100 * MIB, -MIB, 30);
        t.add(new LagSample(false, Long.MAX_VALUE, Double.MAX_VALUE, null, null, "not connected"), T0.plusSeconds(35));
        t.add(lag(60 * MIB), T0.plusSeconds(40));
        assertNull(t.progress(null, THRESHOLD));
    }

    @Test
    void onlyTheLastTwoMinutesCount() {
        LagTrend t = new LagTrend();
        // Growing for five minutes, then shrinking for two: the trend is the recent one.
        for (int s = 0; s <= 300; s += 10) t.add(lag(10 * MIB + MIB * s), T0.plusSeconds(s));
        for (int s = 310; s <= 430; s += 10) t.add(lag(310 * MIB - 2 * MIB * (s - 300)), T0.plusSeconds(s));
        assertEquals(Trend.SHRINKING, t.progress(null, THRESHOLD).trend());
    }
}
