package dev.switchover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PhaseTest {
    private static Set<Phase> where(java.util.function.Predicate<Phase> p) {
        return Arrays.stream(Phase.values())
                .filter(p)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Phase.class)));
    }

    @Test
    void abortCannotGoBackFromPromotionOnUntilDone() {
        assertEquals(
                EnumSet.of(Phase.PROMOTE, Phase.SWITCH_TRAFFIC, Phase.POST_PROMOTION, Phase.DONE),
                where(Phase::isPastPointOfNoReturn));
    }

    @Test
    void approvalIsTooLateFromTheFreezeUntilTheEnd() {
        assertEquals(
                EnumSet.of(
                        Phase.FREEZE_WRITES,
                        Phase.VERIFY_SYNC,
                        Phase.PROMOTE,
                        Phase.SWITCH_TRAFFIC,
                        Phase.POST_PROMOTION),
                where(Phase::isCutoverUnderway));
    }
}
