package dev.switchover.workflows.spec;

/**
 * The fresh backup of the new primary, taken right after promotion as the first safety net of
 * its new timeline: a directory on the target host.
 */
public record BackupSpec(Boolean enabled, String destination) {

  BackupSpec withDefaults() {
    return new BackupSpec(
        enabled == null || enabled, destination == null ? "/var/backups/switchover" : destination);
  }
}
