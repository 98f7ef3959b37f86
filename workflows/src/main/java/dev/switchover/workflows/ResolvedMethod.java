package dev.switchover.workflows;

import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.ReplicationSpec;
import io.temporal.workflow.Workflow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replication method a migration runs with after preflight. A spec may leave PostgreSQL's
 * choice to preflight (replication.method: auto), which reports what the two servers' versions
 * call for; from there on every step is given a spec that names it, so the worker picks that
 * method's engine. A continued run finds it again in the preflight report its predecessor carried.
 */
final class ResolvedMethod {
    /** A version's major: the first number in it, whether {@code 15.4 (Debian ...)} or {@code postgres (PostgreSQL) 17.2}. */
    private static final Pattern MAJOR = Pattern.compile("[0-9]+");

    private ResolvedMethod() {}

    /**
     * {@code spec}, or a copy naming the method {@code preflight} resolved it to. Runs recorded
     * before this existed reported no method; a run that resolves records a version marker, so it
     * replays on this code and no older code replays it wrongly.
     */
    static MigrationSpec after(MigrationSpec spec, PreflightReport preflight) {
        String resolved = preflight == null ? null : preflight.method();
        if (resolved == null || resolved.equals(spec.replication().method())) return spec;
        if (Workflow.getVersion("resolved-method", Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
            return spec;
        }
        return spec.withMethod(resolved);
    }

    /**
     * What the preflight step's record adds about the method: nothing when the spec asked for
     * physical and got it (its record reads as before methods existed), else the method, and for
     * auto why.
     */
    static String summary(MigrationSpec spec, PreflightReport r) {
        String method = r.method();
        boolean auto = ReplicationSpec.AUTO.equals(spec.replication().method());
        if (method == null || (!auto && method.equals(ReplicationSpec.PHYSICAL))) return "";
        if (!auto) return "; method " + method;
        String source = major(r.sourceVersion());
        String target = major(r.targetVersion());
        String why = method.equals(ReplicationSpec.PHYSICAL)
                ? "target " + target + " is the source's major"
                : "target " + target + " is newer than source " + source;
        return "; method " + method + " (auto: " + why + ")";
    }

    private static String major(String version) {
        Matcher m = MAJOR.matcher(version == null ? "" : version);
        return m.find() ? m.group() : "?";
    }
}
