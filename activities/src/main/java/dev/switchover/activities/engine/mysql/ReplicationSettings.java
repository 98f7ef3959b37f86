package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.activities.SettingChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The server settings GTID replication needs on both ends (the runbook's my.cnf block), and for
 * each one that is wrong, the exact my.cnf line that fixes it. Only binlog_format can be changed
 * on a running server without risk, so it is the only one prepare-source sets itself; the others
 * need a restart (log_bin, MariaDB's server settings) or MySQL's multi-step online procedure
 * (gtid_mode), which an operator should run knowingly.
 */
final class ReplicationSettings {
    private ReplicationSettings() {}

    static List<SettingChange> required(MySqlSession s) {
        List<SettingChange> out = new ArrayList<>();
        String file = s.dialect.settingsFile();
        String logBin = s.one("SELECT @@GLOBAL.log_bin");
        if (!"1".equals(logBin) && !"ON".equalsIgnoreCase(logBin)) {
            out.add(new SettingChange(
                    "log_bin", "OFF", "ON", true, "add 'log_bin = binlog' to " + file + " and restart the server"));
        }
        String format = s.one("SELECT @@GLOBAL.binlog_format").toUpperCase(Locale.ROOT);
        if (!format.equals("ROW")) {
            out.add(new SettingChange(
                    "binlog_format",
                    format,
                    "ROW",
                    false,
                    "SET GLOBAL binlog_format = 'ROW' now, and add 'binlog_format = ROW' to " + file
                            + " so a restart keeps it"));
        }
        out.addAll(s.dialect.gtidSettings(s, file));
        return out;
    }

    /** MySQL's GTID settings: enforce_gtid_consistency and gtid_mode (MariaDB's GTIDs are always on). */
    static List<SettingChange> gtidMode(MySqlSession s, String file) {
        List<SettingChange> out = new ArrayList<>();
        String enforce = s.one("SELECT @@GLOBAL.enforce_gtid_consistency").toUpperCase(Locale.ROOT);
        String mode = s.one("SELECT @@GLOBAL.gtid_mode").toUpperCase(Locale.ROOT);
        if (!enforce.equals("ON")) {
            out.add(
                    new SettingChange(
                            "enforce_gtid_consistency",
                            enforce,
                            "ON",
                            true,
                            "add 'enforce_gtid_consistency = ON' to " + file + " and restart the server (online:"
                                    + " SET PERSIST enforce_gtid_consistency = WARN, fix what the error log reports, then ON)"));
        }
        if (!mode.equals("ON")) {
            out.add(new SettingChange(
                    "gtid_mode",
                    mode,
                    "ON",
                    true,
                    "add 'gtid_mode = ON' to " + file + " and restart the server (online: SET PERSIST gtid_mode ="
                            + " OFF_PERMISSIVE, then ON_PERMISSIVE, wait until ONGOING_ANONYMOUS_TRANSACTION_COUNT is 0,"
                            + " then ON)"));
        }
        return out;
    }

    /** A server_id replication accepts: set, and different from the other end's. */
    static String serverIdProblem(String role, long id, long otherId, String file) {
        if (id == 0) {
            return "the " + role + " has server_id = 0, which replication refuses: add 'server_id = <a number unique"
                    + " among your servers>' to " + file + " and restart it";
        }
        if (id == otherId) {
            return "source and target both have server_id = " + id + "; replication needs distinct ids: set"
                    + " 'server_id = " + (id + 1) + "' (or any unused number) in the target's " + file
                    + " and restart it";
        }
        return null;
    }
}
