package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import java.util.ArrayList;
import java.util.List;

/**
 * MariaDB's read_only across a restart: MariaDB cannot persist a setting from SQL, so a drop-in
 * file in the last directory its configuration includes says read_only = ON, proved read with
 * my_print_defaults before it is relied on.
 */
final class ReadOnlyDropIn implements ReadOnlyPersistence {
    private final RemoteHost host;
    private final String migration;
    private final String address;

    ReadOnlyDropIn(RemoteHost host, String migration, String address) {
        this.host = host;
        this.migration = migration;
        this.address = address;
    }

    /** Written before read_only goes on, so a server restarted meanwhile comes back read-only. */
    @Override
    public void keep() {
        writeDropIn();
    }

    @Override
    public void forget() {
        for (String dir : includedDirectories()) {
            host.run(Command.of("rm", "-f", "--", dropIn(dir))).orThrow("removing " + dropIn(dir));
        }
    }

    @Override
    public List<String> gaps(MySqlSession s) {
        List<String> gaps = new ArrayList<>();
        String dir = lastIncludedDirectory();
        if (!host.exists(dropIn(dir))) gaps.add(dropIn(dir) + " is missing (a restart comes back writable)");
        else if (!readOnlyAtStart()) gaps.add("the server's configuration does not end with read_only = ON");
        return gaps;
    }

    private String dropIn(String dir) {
        return dir + "/zz-switchover-fence-" + migration + ".cnf";
    }

    private void writeDropIn() {
        String file = dropIn(lastIncludedDirectory());
        host.writeFile(
                file,
                "# Written by switchover at the freeze of migration " + migration + ": this server stays"
                        + " read-only across restarts\n# while its data moves to the new primary. Rolling the migration back removes"
                        + " this file; after\n# a completed migration this is the old source: remove the file only to make it writable"
                        + " on purpose.\n[mariadb]\nread_only = ON\n",
                "0644",
                null);
        if (!readOnlyAtStart()) {
            host.run(Command.of("rm", "-f", "--", file)).orThrow("removing " + file);
            throw Failures.fatal(
                    Failures.SOURCE_NOT_FENCED,
                    "on " + address + ", " + file + " was written but"
                            + " 'my_print_defaults --mysqld' does not end with read_only = ON, so a restarted server would take"
                            + " writes; the source was not frozen. Check that the server reads that directory and that no later"
                            + " file turns read_only off, then retry.");
        }
    }

    /** Whether the server, started now with its default option files, would start read-only. */
    private boolean readOnlyAtStart() {
        CommandResult r = host.run(Command.of("my_print_defaults", "--mysqld"));
        r.orThrow("reading the server's options on " + address + " (my_print_defaults --mysqld)");
        return readOnlyLast(r.stdout());
    }

    /** The server's last word on read_only among options as my_print_defaults prints them. */
    static boolean readOnlyLast(String options) {
        Boolean on = null;
        for (String line : options.split("\n")) {
            String o = line.strip().replaceFirst("^--", "").replace('-', '_');
            if (o.startsWith("loose_")) o = o.substring("loose_".length());
            String name = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            String value = o.contains("=") ? o.substring(o.indexOf('=') + 1).strip() : "ON";
            if (name.equals("read_only")) on = List.of("ON", "1", "TRUE").contains(value.toUpperCase());
            if (name.equals("skip_read_only")) on = false;
        }
        return on != null && on;
    }

    /** The directories the server's main configuration includes, in the order it reads them. */
    private List<String> includedDirectories() {
        String script = "for f in /etc/my.cnf /etc/mysql/my.cnf; do [ -r \"$f\" ] &&"
                + " sed -n 's/^[[:space:]]*!includedir[[:space:]]*//p' \"$f\"; done; true";
        List<String> dirs = new ArrayList<>();
        for (String line : host.run(Command.of("sh", "-c", script))
                .orThrow("reading the source's my.cnf")
                .stdout()
                .split("\n")) {
            String dir = line.strip().replaceAll("/+$", "");
            if (!dir.isEmpty() && !dirs.contains(dir)) dirs.add(dir);
        }
        return dirs;
    }

    private String lastIncludedDirectory() {
        List<String> dirs = includedDirectories();
        if (dirs.isEmpty()) {
            throw Failures.fatal(
                    Failures.SOURCE_NOT_FENCED,
                    "on " + address + ", neither /etc/my.cnf nor /etc/mysql/my.cnf"
                            + " includes a directory (!includedir), so switchover has nowhere to keep read_only = ON for a restart;"
                            + " the source was not frozen. Add an !includedir line, then retry.");
        }
        return dirs.get(dirs.size() - 1);
    }
}
