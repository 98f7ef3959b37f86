package dev.switchover.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HumanTest {

    @Test
    void bytesInBinaryUnits() {
        assertEquals("512 B", Human.bytes(512));
        assertEquals("1.0 KiB", Human.bytes(1024));
        assertEquals("1.2 MiB", Human.bytes(1_258_291));
        assertEquals("3.5 GiB", Human.bytes(3L * 1024 * 1024 * 1024 + 512L * 1024 * 1024));
    }

    @Test
    void durationsAsOperatorsWriteThem() {
        assertEquals("250ms", Human.duration(Duration.ofMillis(250)));
        assertEquals(
                "217ms", Human.duration(Duration.ofNanos(217_769_081)), "a server's retry interval, in human units");
        assertEquals("12s", Human.duration(Duration.ofMillis(12_040)));
        assertEquals("1.5s", Human.duration(Duration.ofMillis(1_530)));
        assertEquals("1m30s", Human.duration(Duration.ofMillis(90_700)));
        assertEquals("2h5m", Human.duration(Duration.ofMinutes(125)));
    }

    @Test
    void instantsInWorkflowTextsShownInLocalTime() {
        Instant at = Instant.parse("2026-11-26T16:12:27.698Z");
        assertEquals(
                "gives up at " + Human.dateTime(at) + "; retry",
                Human.localTimes("gives up at 2026-11-26T16:12:27.698Z; retry"));
        assertEquals("no instant here", Human.localTimes("no instant here"));
    }

    @Test
    void tableAlignsColumnsAndDoesNotPadTheLast() {
        String table = Human.table(List.of("A", "LONG HEADER", "LAST"), List.of(List.of("xyz", "1", "tail")));
        assertEquals("A    LONG HEADER  LAST\nxyz  1            tail\n", table);
    }

    @Test
    void progressLineLeadsWithLagInCatchUp() {
        MigrationStatus s = status(
                Phase.CATCH_UP,
                "waiting for lag under 1.0 MiB for 30s",
                new LagSample(true, 1_258_291, 0.4, null, null, "streaming"),
                null);
        assertEquals(
                "CATCH_UP  lag 1.2 MiB / 0.4 s — waiting for lag under 1.0 MiB for 30s", ProgressFollower.progress(s));
    }

    @Test
    void progressLineDoesNotRepeatLagTheWorkflowAlreadyStates() {
        MigrationStatus s = status(
                Phase.CATCH_UP,
                "lag 1.2 MiB / 0.4 s; waiting for lag under 1.0 MiB / 1.0 s",
                new LagSample(true, 1_258_291, 0.4, null, null, "streaming"),
                null);
        assertEquals(
                "CATCH_UP  lag 1.2 MiB / 0.4 s; waiting for lag under 1.0 MiB / 1.0 s", ProgressFollower.progress(s));
    }

    @Test
    void progressLineShowsCopyPercent() {
        MigrationStatus s = status(
                Phase.BASE_COPY,
                "base copy 35.0% (streaming WAL)",
                null,
                new CopyProgress(35L << 20, 100L << 20, "streaming WAL"));
        assertEquals("BASE_COPY  copy 35% (35.0 MiB of 100.0 MiB, streaming WAL)", ProgressFollower.progress(s));
    }

    @Test
    void failureChainDropsCausesTheOuterMessageAlreadySays() {
        ApplicationFailure root = ApplicationFailure.newNonRetryableFailure("disk too slow", "IopsBelowFloor");
        ApplicationFailure outer = ApplicationFailure.newNonRetryableFailureWithCause(
                "disk too slow. The source is serving.", "IopsBelowFloor", root);
        assertEquals(List.of("disk too slow. The source is serving. [IopsBelowFloor]"), FailureText.chain(outer));
    }

    private static MigrationStatus status(Phase phase, String waiting, LagSample lag, CopyProgress copy) {
        return new StatusFixture()
                .hosts("a", "b")
                .phase(phase)
                .waitingFor(waiting)
                .lag(lag)
                .copy(copy)
                .build();
    }
}
