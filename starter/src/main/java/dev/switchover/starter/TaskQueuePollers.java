package dev.switchover.starter;

import io.grpc.StatusRuntimeException;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Whether a worker polls the task queue, from the server's list of recent pollers. A live worker
 * polls again as soon as a poll ends (a minute at most), while the server lists a dead one for
 * minutes after, so only a poll seen within {@link #ALIVE_WITHIN} counts.
 */
final class TaskQueuePollers {
    static final Duration ALIVE_WITHIN = Duration.ofSeconds(90);

    /** What the server knows of the queue's workers. */
    record Seen(boolean known, Instant lastPoll) {
        /** The server cannot say (a server without the call, like the SDK's test server): assume one runs. */
        static final Seen UNKNOWN = new Seen(false, null);

        boolean alive(Instant now) {
            return !known || (lastPoll != null && lastPoll.isAfter(now.minus(ALIVE_WITHIN)));
        }

        /** "no worker has polled it yet" or "its last worker polled at 12:01:03". */
        String describe() {
            return lastPoll == null
                    ? "no worker has polled it recently"
                    : "its last worker polled at " + Human.dateTime(lastPoll);
        }
    }

    private TaskQueuePollers() {}

    static Seen seen(WorkflowClient client, String taskQueue) {
        try {
            Instant last = null;
            for (PollerInfo p : client.getWorkflowServiceStubs()
                    .blockingStub()
                    .withDeadlineAfter(TemporalConnection.PROBE_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setTaskQueue(TaskQueue.newBuilder().setName(taskQueue))
                            .build())
                    .getPollersList()) {
                Instant at = Instant.ofEpochSecond(
                        p.getLastAccessTime().getSeconds(),
                        p.getLastAccessTime().getNanos());
                if (last == null || at.isAfter(last)) last = at;
            }
            return new Seen(true, last);
        } catch (StatusRuntimeException e) {
            return Seen.UNKNOWN;
        }
    }
}
