package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.engine.Progress;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.List;

/**
 * How a MySQL or MariaDB base copy is made (replication.copyMethod): the parts of preflight,
 * source preparation and the base copy that differ between methods. {@link DumpCopy} streams a
 * dump, {@link CloneCopy} runs MySQL's CLONE; the EngineRegistry gives each engine one, so no step
 * asks which method it runs. A new method is a class implementing this and a row in the registry.
 */
public interface MySqlCopyMethod {
    /** The method as the copy's result names it. */
    String name();

    /** Why these two servers cannot be copied this way, or null; preflight refuses with it. */
    String incompatibility(Version source, Version target);

    /**
     * What the source needs for this method beyond the replication account's grants, in
     * prepare-source's session; {@code account} is the replication account ('user'@'host') and
     * {@code notes} takes what is left on the source.
     */
    void prepareSource(MySqlSession s, String account, List<String> notes);

    /** On the target just emptied for the copy, in that session, before the copy. */
    void prepareTarget(MigrationSpec spec, MySqlSession t);

    /**
     * Copies the source into the emptied target and returns the bytes copied. {@code schemas} and
     * {@code tables} are the source's user databases and tables, read at the start of the copy.
     */
    long copy(MigrationSpec spec, List<String> schemas, List<DumpProgress.Table> tables, Progress progress);

    /**
     * Whether the copy replaces the target's accounts with the source's, so that the target's admin
     * logs in with the source's admin password after it.
     */
    boolean replacesTargetAccounts();
}
