package dev.switchover.workflows.spec;

/**
 * The fresh backup of the new primary, taken right after promotion as the first safety net of
 * its new timeline: a directory on the target host. {@code maxRate} caps the backup's reads
 * (pg_basebackup's {@code --max-rate}, e.g. {@code 50M}), so the copy does not compete with the
 * traffic that has just moved to the new primary; unset reads as fast as the disk allows.
 */
public record BackupSpec(Boolean enabled, String destination, String maxRate) {

    public BackupSpec(Boolean enabled, String destination) {
        this(enabled, destination, null);
    }

    BackupSpec withDefaults() {
        return new BackupSpec(
                enabled == null || enabled, destination == null ? "/var/backups/switchover" : destination, maxRate);
    }
}
