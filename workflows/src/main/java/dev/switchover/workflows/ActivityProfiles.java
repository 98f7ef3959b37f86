package dev.switchover.workflows;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.Map;

/**
 * Timeouts and retries for every activity, by kind of work. Keys of {@link #PER_METHOD} are
 * activity type names (the method name, capitalised); a test proves each names a real method.
 */
public final class ActivityProfiles {

    private static RetryOptions.Builder retry(Duration maxInterval) {
        return RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(maxInterval)
                .setDoNotRetry(Failures.NON_RETRYABLE.toArray(String[]::new));
    }

    /**
     * A short SQL call or file write. Retried for 30 minutes so a network blip or a restarting
     * server does not fail the migration, but a dead host does, in time for a human to look.
     */
    public static final ActivityOptions QUICK = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setScheduleToCloseTimeout(Duration.ofMinutes(30))
            .setRetryOptions(retry(Duration.ofMinutes(1)).build())
            .build();

    /**
     * Remote commands over SSH (preflight, fio, settings, freeze, promote). They heartbeat while
     * they wait, so a killed worker is noticed within the heartbeat timeout and the step resumes on
     * another worker instead of waiting out the whole start-to-close.
     */
    public static final ActivityOptions REMOTE = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(30))
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .setScheduleToCloseTimeout(Duration.ofHours(2))
            .setRetryOptions(retry(Duration.ofMinutes(1)).build())
            .build();

    /**
     * Preflight changes nothing, so nothing is lost by failing it: retries come at most 10 s apart,
     * a host that does not answer at all fails it after about 40 s (the activity decides), and no
     * other cause keeps it trying for more than 10 minutes.
     */
    public static final ActivityOptions PREFLIGHT = ActivityOptions.newBuilder(REMOTE)
            .setScheduleToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(retry(Duration.ofSeconds(10)).build())
            .build();

    /**
     * Promotion: as {@link #REMOTE}, but an abort's cancellation waits for the running attempt to
     * end. Only then can the target say truly whether it was promoted; a rollback that went ahead
     * while an attempt still ran could leave two writable servers.
     */
    public static final ActivityOptions PROMOTION = ActivityOptions.newBuilder(REMOTE)
            .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
            .build();

    /**
     * The base copy and the post-promotion backup: hours of work on a large database. Retried
     * without limit (each retry resumes or restarts cleanly), heartbeats carry the progress.
     */
    public static final ActivityOptions LONG_COPY = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofHours(48))
            .setHeartbeatTimeout(Duration.ofMinutes(1))
            .setRetryOptions(retry(Duration.ofMinutes(5)).build())
            .build();

    /**
     * One lag sample. Few attempts: the catch-up loop samples again at its next tick, and a failed
     * sample is shown in status rather than failing the migration.
     */
    public static final ActivityOptions LAG_PROBE = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setRetryOptions(retry(Duration.ofSeconds(5)).setMaximumAttempts(3).build())
            .build();

    /**
     * The operator's own hooks: run once. We cannot know that someone else's command is safe to
     * repeat; a failure rolls the cutover back instead.
     */
    public static final ActivityOptions HOOK = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(15))
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .setRetryOptions(retry(Duration.ofSeconds(10)).setMaximumAttempts(1).build())
            .build();

    /**
     * PgBouncer's pause and its repoint before promotion: clients are held while they run, so
     * retries get minutes, not hours; past that the cutover rolls back and lets them through on the
     * source.
     */
    public static final ActivityOptions CLIENTS_WAITING = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .setScheduleToCloseTimeout(Duration.ofMinutes(5))
            .setRetryOptions(retry(Duration.ofSeconds(10)).build())
            .build();

    /**
     * Undo steps must get through if at all possible: a source left half-changed is worse than a
     * slow rollback.
     */
    public static final ActivityOptions UNDO = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(5))
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .setScheduleToCloseTimeout(Duration.ofHours(1))
            .setRetryOptions(retry(Duration.ofMinutes(1)).build())
            .build();

    /**
     * A webhook POST. Retried for 15 minutes, so a receiver's restart or a short outage loses nothing,
     * yet an event that cannot be delivered gives way to the next one before it is stale. The
     * migration never waits for it.
     */
    public static final ActivityOptions NOTIFY = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setScheduleToCloseTimeout(Duration.ofMinutes(15))
            .setRetryOptions(retry(Duration.ofMinutes(1)).build())
            .build();

    /**
     * Clean-up on the old source after promotion: it may be dead, and nothing after promotion may
     * wait on it, so a minute at most; what is left is reported.
     */
    public static final ActivityOptions OLD_SOURCE = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setScheduleToCloseTimeout(Duration.ofMinutes(1))
            .setRetryOptions(retry(Duration.ofSeconds(10)).setMaximumAttempts(2).build())
            .build();

    public static final ActivityOptions DEFAULT = QUICK;

    public static final Map<String, ActivityOptions> PER_METHOD = Map.ofEntries(
            Map.entry("Preflight", PREFLIGHT),
            Map.entry("BenchmarkTarget", REMOTE),
            Map.entry("PrepareSource", REMOTE),
            Map.entry("UndoPrepareSource", UNDO),
            Map.entry("QuietTarget", UNDO),
            Map.entry("BaseCopy", LONG_COPY),
            Map.entry("MeasureLag", LAG_PROBE),
            Map.entry("StopApplication", HOOK),
            Map.entry("ResumeApplication", HOOK),
            Map.entry("FreezeWrites", REMOTE),
            Map.entry("UnfreezeWrites", UNDO),
            Map.entry("VerifySync", REMOTE),
            Map.entry("Promote", PROMOTION),
            Map.entry("PromoteWithoutSource", PROMOTION),
            Map.entry("TargetPromoted", QUICK),
            Map.entry("SwitchTraffic", REMOTE),
            Map.entry("PauseTraffic", CLIENTS_WAITING),
            Map.entry("RepointTraffic", CLIENTS_WAITING),
            Map.entry("ResumeTraffic", REMOTE),
            Map.entry("ResumeTrafficOnSource", UNDO),
            Map.entry("BackupNewPrimary", LONG_COPY),
            Map.entry("RunChecklist", REMOTE),
            Map.entry("RetireOldSource", OLD_SOURCE),
            Map.entry("WriteReport", QUICK));

    private ActivityProfiles() {}
}
