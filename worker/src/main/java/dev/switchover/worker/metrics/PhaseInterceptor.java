package dev.switchover.worker.metrics;

import dev.switchover.activities.metrics.MigrationMetrics;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;

/**
 * Tells the metrics which step each activity is, before it runs: the phase gauge then follows the
 * runbook without a line in every activity method.
 */
final class PhaseInterceptor extends WorkerInterceptorBase {
    private final MigrationMetrics metrics;

    PhaseInterceptor(MigrationMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
        return new ActivityInboundCallsInterceptorBase(next) {
            private String activityType;

            @Override
            public void init(ActivityExecutionContext context) {
                activityType = context.getInfo().getActivityType();
                super.init(context);
            }

            @Override
            public ActivityOutput execute(ActivityInput input) {
                Object[] args = input.getArguments();
                if (activityType != null && args.length > 0 && args[0] instanceof MigrationSpec spec) {
                    metrics.stepStarted(spec.name(), activityType);
                }
                return super.execute(input);
            }
        };
    }
}
