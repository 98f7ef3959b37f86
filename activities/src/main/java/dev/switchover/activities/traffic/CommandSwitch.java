package dev.switchover.activities.traffic;

import dev.switchover.activities.hooks.HookRunner;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.spec.MigrationSpec;

/** Traffic moved by the operator's own command: a DNS update, a load balancer API call. */
public final class CommandSwitch implements TrafficSwitcher {
    private final HookRunner hooks;

    public CommandSwitch(HookRunner hooks) {
        this.hooks = hooks;
    }

    @Override
    public TrafficSwitchResult switchAfterPromotion(MigrationSpec spec, Runnable heartbeat) {
        String out = hooks.run("traffic switch", spec.traffic().command(), spec, heartbeat)
                .strip();
        return new TrafficSwitchResult(
                "command",
                "`" + spec.traffic().command().command() + "` exited 0"
                        + (out.isEmpty() ? "" : ": " + (out.length() > 200 ? out.substring(0, 200) + "..." : out)));
    }
}
