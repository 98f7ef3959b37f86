package dev.switchover.workflows.spec;

/**
 * A migration, as the operator writes it in YAML. It is the workflow's input, so it carries
 * topology, thresholds and references to secrets, never a secret itself.
 */
public record MigrationSpec(
        String name,
        Engine engine,
        HostSpec source,
        HostSpec target,
        ReplicationSpec replication,
        BenchmarkSpec benchmark,
        CatchUpSpec catchUp,
        CutoverSpec cutover,
        TrafficSpec traffic,
        BackupSpec backup,
        ReportSpec report,
        NotificationsSpec notifications) {

    public MigrationSpec(
            String name,
            Engine engine,
            HostSpec source,
            HostSpec target,
            ReplicationSpec replication,
            BenchmarkSpec benchmark,
            CatchUpSpec catchUp,
            CutoverSpec cutover,
            TrafficSpec traffic,
            BackupSpec backup,
            ReportSpec report) {
        this(name, engine, source, target, replication, benchmark, catchUp, cutover, traffic, backup, report, null);
    }

    /**
     * Every optional field filled in, so the workflow and its history show exactly the values the
     * migration runs with. Call only on a spec that has passed {@link SpecValidator}.
     */
    public MigrationSpec withDefaults() {
        return new MigrationSpec(
                name,
                engine,
                source.withDefaults(engine),
                target.withDefaults(engine),
                (replication == null ? new ReplicationSpec(null, null, null) : replication).withDefaults(name, engine),
                (benchmark == null ? new BenchmarkSpec(null, null, null, null, null, null, null) : benchmark)
                        .withDefaults(),
                (catchUp == null ? new CatchUpSpec(null, null, null, null, null) : catchUp).withDefaults(),
                (cutover == null ? new CutoverSpec(null, null, null, null, null, null) : cutover).withDefaults(),
                (traffic == null ? new TrafficSpec(null, null, null) : traffic).withDefaults(),
                (backup == null ? new BackupSpec(null, null) : backup).withDefaults(),
                (report == null ? new ReportSpec(null) : report).withDefaults(),
                // Absent stays absent: a migration without notifications runs exactly as before they existed.
                notifications);
    }

    /**
     * The same migration replicating by {@code method}: the workflow carries on with what preflight
     * resolved the spec's {@code replication.method: auto} to.
     */
    public MigrationSpec withMethod(String method) {
        return new MigrationSpec(
                name,
                engine,
                source,
                target,
                replication.withMethod(method),
                benchmark,
                catchUp,
                cutover,
                traffic,
                backup,
                report,
                notifications);
    }

    /** The workflow id: one running migration per spec name, so starting it twice is harmless. */
    public String workflowId() {
        return "switchover-" + name;
    }
}
