package dev.switchover.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void readsLabelsInAnyOrderEscapesSpecialValuesAndTimestamps() {
        PrometheusText text = PrometheusText.parse("""
        # HELP switchover_replication_lag_bytes replay lag of the target, bytes
        # TYPE switchover_replication_lag_bytes gauge
        switchover_replication_lag_bytes{migration="orders",} 4096.0
        switchover_replication_lag_bytes{migration="say \\"hi\\", a\\\\b\\nc"} NaN
        switchover_phase{phase="CATCH_UP",migration="orders"} 1.0 1712345678901
        temporal_long_request_total{operation="PollActivityTaskQueue"} +Inf
        process_uptime_seconds 1.5E3

        """);

        assertEquals(5, text.samples().size());
        assertEquals(
                Optional.of(4096.0), text.value("switchover_replication_lag_bytes", Map.of("migration", "orders")));
        assertTrue(text.value("switchover_replication_lag_bytes", Map.of("migration", "say \"hi\", a\\b\nc"))
                .orElseThrow()
                .isNaN());
        assertEquals(
                Optional.of(1.0), text.value("switchover_phase", Map.of("migration", "orders", "phase", "CATCH_UP")));
        assertEquals(Optional.of(Double.POSITIVE_INFINITY), text.value("temporal_long_request_total", Map.of()));
        assertEquals(Optional.of(1500.0), text.value("process_uptime_seconds", Map.of()));
        assertEquals(Optional.empty(), text.value("switchover_phase", Map.of("migration", "billing")));
    }

    @Test
    void aPrefixOfANameOrALabelValueIsNotAMatch() {
        PrometheusText text = PrometheusText.parse("""
        switchover_base_copy_bytes{migration="orders-2"} 10.0
        switchover_base_copy_bytes_total{migration="orders"} 20.0
        """);

        assertEquals(Optional.empty(), text.value("switchover_base_copy_bytes", Map.of("migration", "orders")));
        assertEquals(Optional.of(10.0), text.value("switchover_base_copy_bytes", Map.of("migration", "orders-2")));
    }

    @Test
    void refusesWhatIsNotASample() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("switchover_phase{migration=\"x} 1"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("switchover_phase{migration=x} 1"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("switchover_phase 1 2 3"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("switchover_phase one"));
        assertThrows(
                IllegalStateException.class,
                () -> PrometheusText.parse("a{x=\"1\"} 1\na{x=\"2\"} 2").value("a", Map.of()));
    }
}
