package dev.switchover.workflows.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

    static Stream<Arguments> writtenForms() {
        return Stream.of(
                Arguments.of("30s", Duration.ofSeconds(30)),
                Arguments.of("5m", Duration.ofMinutes(5)),
                Arguments.of("1h30m", Duration.ofMinutes(90)),
                Arguments.of("250ms", Duration.ofMillis(250)),
                Arguments.of("2d", Duration.ofDays(2)),
                Arguments.of("90s", Duration.ofSeconds(90)),
                Arguments.of(" 10M ", Duration.ofMinutes(10)),
                Arguments.of("PT30S", Duration.ofSeconds(30)),
                Arguments.of("pt1h", Duration.ofHours(1)));
    }

    @ParameterizedTest
    @MethodSource("writtenForms")
    void parsesWhatPeopleWrite(String text, Duration expected) {
        assertEquals(expected, DurationText.parse(text));
    }

    @Test
    void formatsInTheShortestForm() {
        assertEquals("1m30s", DurationText.format(Duration.ofSeconds(90)));
        assertEquals("1d2h3m4s5ms", DurationText.format(Duration.parse("P1DT2H3M4.005S")));
        assertEquals("0s", DurationText.format(Duration.ZERO));
        assertEquals("6h", DurationText.format(Duration.ofHours(6)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "250ms", "30s", "1m30s", "6h", "1d2h3m4s5ms", "PT-5S", "PT0.0005S", "PT1.0000001S"})
    void formatThenParseGivesTheSameDuration(String text) {
        Duration d = DurationText.parse(text);

        assertEquals(d, DurationText.parse(DurationText.format(d)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 minutes", "1h 30m", "m5", "-5s", "P"})
    void refusesOtherTextSayingHowToWriteIt(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationText.parse(text));

        assertTrue(e.getMessage().contains("write it like 30s, 5m, 1h30m"), e.getMessage());
    }

    @Test
    void refusesADurationTooLongToHold() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DurationText.parse("99999999999999999999d"));

        assertTrue(e.getMessage().contains("too long"), e.getMessage());
    }
}
