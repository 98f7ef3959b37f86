package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.Arrays;
import java.util.List;

/**
 * Physical replication copies the source's data files as they are, so the target must run the
 * source's major version. A target prepared for another major (its data directory holds a 17
 * cluster, or only 17 is installed) is refused in preflight, naming both versions, before anything
 * is benchmarked, prepared or wiped: after the wipe, the copy would have put a 15 cluster where
 * the target's service starts a 17 server.
 */
final class SameMajorVersion {
    /** The majors installed where Debian and the PGDG RPMs put them. */
    private static final String INSTALLED = "for d in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin; do"
            + " [ -x \"$d/pg_ctl\" ] && basename \"$(dirname \"$d\")\"; done | sed 's/^pgsql-//' | sort -n | uniq";

    private SameMajorVersion() {}

    /**
     * The target's server binaries of the source's major version, once it is shown that the target
     * is meant for that major; otherwise a fatal refusal saying what to change.
     */
    static String bindir(RemoteHost target, MigrationSpec spec, String sourceVersion, String targetDir) {
        String major = TargetCluster.major(sourceVersion);
        // As the cluster's owner: the data directory is 0700, and the SSH user need not be root.
        CommandResult cluster = target.run(Command.of("cat", targetDir + "/PG_VERSION")
                .asUser(spec.target().database().osUser()));
        String clusterMajor = cluster.ok() ? cluster.stdout().strip() : null;
        if (clusterMajor != null && !clusterMajor.isEmpty() && !clusterMajor.equals(major)) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    refusal(
                            spec,
                            sourceVersion,
                            "its data directory " + targetDir + " holds a PostgreSQL " + clusterMajor + " cluster",
                            clusterMajor));
        }
        CommandResult bin = target.run(Command.of("sh", "-c", TargetCluster.FIND_BINDIR, "sh", major));
        if (bin.ok()) return bin.stdout().strip();
        List<String> installed = Arrays.stream(
                        target.run(Command.of("sh", "-c", INSTALLED)).stdout().split("\n"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
        String other = installed.isEmpty() ? null : installed.get(installed.size() - 1);
        throw Failures.fatal(
                Failures.PREFLIGHT_FAILED,
                refusal(
                        spec,
                        sourceVersion,
                        installed.isEmpty()
                                ? "it has no PostgreSQL server installed"
                                : "it has only PostgreSQL " + String.join(", ", installed) + " installed",
                        other));
    }

    private static String refusal(MigrationSpec spec, String sourceVersion, String targetHas, String targetMajor) {
        String major = TargetCluster.major(sourceVersion);
        return "the source " + spec.source().address() + " runs PostgreSQL " + sourceVersion + " and the target "
                + spec.target().address() + " is not ready for " + major + ": " + targetHas
                + ". Physical replication copies the source's data files as they are, so both ends must run the same"
                + " major version. To move " + major + " to " + major + ": install postgresql-" + major
                + " on the target and point target.database (dataDirectory, serviceStart, serviceStop) at a " + major
                + " cluster."
                + (targetMajor == null || targetMajor.equals(major)
                        ? ""
                        : " Moving to PostgreSQL " + targetMajor + " needs logical replication, which this version"
                                + " of switchover does not do yet.");
    }
}
