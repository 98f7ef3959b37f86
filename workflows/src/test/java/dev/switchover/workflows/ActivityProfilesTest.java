package dev.switchover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.activities.MigrationActivities;
import io.temporal.common.metadata.POJOActivityInterfaceMetadata;
import io.temporal.common.metadata.POJOActivityMethodMetadata;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ActivityProfilesTest {
    private static final Set<String> ACTIVITY_TYPES =
            POJOActivityInterfaceMetadata.newInstance(MigrationActivities.class).getMethodsMetadata().stream()
                    .map(POJOActivityMethodMetadata::getActivityTypeName)
                    .collect(Collectors.toSet());

    @Test
    void everyProfileKeyNamesARealActivityType() {
        for (String key : ActivityProfiles.PER_METHOD.keySet()) {
            assertTrue(ACTIVITY_TYPES.contains(key), key + " is not an activity type; types are " + ACTIVITY_TYPES);
        }
    }

    @Test
    void everyActivityHasAProfileChosenOnPurpose() {
        assertEquals(ACTIVITY_TYPES, ActivityProfiles.PER_METHOD.keySet());
    }

    @Test
    void longStepsHeartbeatAndHooksRunOnce() {
        assertNotNull(ActivityProfiles.PER_METHOD.get("BaseCopy").getHeartbeatTimeout());
        assertNotNull(ActivityProfiles.PER_METHOD.get("BackupNewPrimary").getHeartbeatTimeout());
        assertEquals(
                1,
                ActivityProfiles.PER_METHOD
                        .get("StopApplication")
                        .getRetryOptions()
                        .getMaximumAttempts());
        assertTrue(ActivityProfiles.QUICK.getRetryOptions().getDoNotRetry().length > 0);
        for (String type : Failures.NON_RETRYABLE) {
            assertTrue(
                    Set.of(ActivityProfiles.REMOTE.getRetryOptions().getDoNotRetry())
                            .contains(type),
                    type);
        }
    }
}
