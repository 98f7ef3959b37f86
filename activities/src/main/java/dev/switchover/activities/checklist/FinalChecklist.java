package dev.switchover.activities.checklist;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.activities.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * The runbook's final checklist items that do not depend on the engine: time sync and the
 * firewall on the new primary. Each says plainly when its tool is not installed.
 */
public final class FinalChecklist {
    private FinalChecklist() {}

    public static Check timeSync(RemoteHost host) {
        CommandResult chrony = host.run(Command.of("sh", "-c", "command -v chronyc >/dev/null && chronyc -c tracking"));
        if (chrony.ok()) {
            String[] f = chrony.stdout().strip().split(",");
            // -c tracking: field 5 is the last offset in seconds, field 12 the leap status.
            String leap = f.length > 13 ? f[13] : "?";
            return "Normal".equals(leap)
                    ? Check.ok("time sync", "chrony synchronised to " + f[1] + ", offset " + f[4] + " s")
                    : Check.warn("time sync", "chrony reports leap status " + leap + ": not synchronised");
        }
        CommandResult timedate = host.run(Command.of(
                "sh", "-c", "command -v timedatectl >/dev/null && timedatectl show -p NTPSynchronized --value"));
        if (timedate.ok()) {
            return "yes".equals(timedate.stdout().strip())
                    ? Check.ok("time sync", "systemd-timesyncd: NTPSynchronized=yes")
                    : Check.warn(
                            "time sync",
                            "timedatectl: NTPSynchronized=" + timedate.stdout().strip());
        }
        return new Check(
                "time sync",
                Check.Verdict.NOT_INSTALLED,
                "neither chrony nor systemd-timesyncd answers: install chrony (apt-get install chrony) so log and"
                        + " transaction timestamps agree across servers");
    }

    public static Check firewall(RemoteHost host, int port) {
        CommandResult ufw = host.run(Command.of("sh", "-c", "command -v ufw >/dev/null && ufw status"));
        if (ufw.ok()) {
            String out = ufw.stdout();
            if (out.contains("Status: inactive")) {
                return Check.warn(
                        "firewall", "ufw is inactive: port " + port + " is open to anyone who can route here");
            }
            List<String> rules = new ArrayList<>();
            for (String line : out.split("\n"))
                if (line.startsWith(port + "") || line.contains(" " + port + "/")) rules.add(line.strip());
            boolean anywhere = rules.stream().anyMatch(r -> r.contains("Anywhere"));
            return anywhere
                    ? Check.warn("firewall", "ufw allows port " + port + " from anywhere: " + rules)
                    : Check.ok("firewall", "ufw limits port " + port + ": " + rules);
        }
        CommandResult nft = host.run(Command.of("sh", "-c", "command -v nft >/dev/null && nft list ruleset"));
        if (nft.ok()) {
            String rules = nft.stdout();
            if (rules.isBlank())
                return Check.warn("firewall", "nftables has no rules: port " + port + " is open to all");
            return rules.contains("dport " + port)
                    ? Check.ok("firewall", "nftables has rules for port " + port)
                    : Check.warn("firewall", "nftables has rules, none for port " + port);
        }
        return new Check(
                "firewall",
                Check.Verdict.NOT_INSTALLED,
                "neither ufw nor nftables is installed: port " + port + " is open to anyone who can reach the host;"
                        + " allow it only from the application servers");
    }
}
