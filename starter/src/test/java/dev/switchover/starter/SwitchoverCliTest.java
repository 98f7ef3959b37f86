package dev.switchover.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchover.testkit.LabHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI without a Temporal server: input checking, exit codes and connection errors. */
class SwitchoverCliTest {
    @TempDir
    Path dir;

    /** Unknown field, inline password, port 70000, the same host twice, engine oracle. */
    private Path badSpec() {
        return Cli.write(dir.resolve("bad.yaml"), """
        name: orders
        engine: oracle
        source:
          address: %s
          ssh:
            privateKey: /etc/switchover/id_ed25519
          database:
            adminPassword: s3cret-Passw0rd
            port: 70000
        target:
          address: %s
          ssh:
            privateKey: /etc/switchover/id_ed25519
          databse:
            adminPassword: env:PG_ADMIN_PASSWORD
        replication:
          password: env:REPLICATION_PASSWORD
        """.formatted(LabHost.SRC.address(), LabHost.SRC.address()));
    }

    @AfterEach
    void restoreLocalAddress() {
        TemporalConnection.localAddress = TemporalConnection.LOCAL_ADDRESS;
    }

    private static void assertNamesEveryBadField(Cli.Run run) {
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertTrue(run.err().contains("bad.yaml is not valid:"), run.toString());
        for (String field : new String[] {
            "engine:", "source.database.adminPassword:", "source.database.port:", "target.address:", "target.databse:"
        }) {
            assertTrue(run.err().contains("\n  " + field), "stderr should name " + field + "\n" + run);
        }
        assertTrue(!run.err().contains("s3cret-Passw0rd"), "the inline password must not be echoed\n" + run);
    }

    @Test
    void validateRefusesBadSpecNamingEveryBadField() {
        Cli.Run run = Cli.run("validate", badSpec().toString());
        assertNamesEveryBadField(run);
        assertEquals("", run.out());
    }

    @Test
    void startRefusesBadSpecBeforeConnectingToAnything() {
        // The address is a closed port: trying to connect would exit 1, not 2.
        Cli.Run run = Cli.run("start", badSpec().toString(), "--address", "127.0.0.1:" + Cli.closedPort());
        assertNamesEveryBadField(run);
        assertEquals("", run.out());
        assertTrue(!run.err().contains("cannot reach"), run.toString());
    }

    @Test
    void startOfMissingSpecFileIsBadInput() {
        Cli.Run run =
                Cli.run("start", dir.resolve("nope.yaml").toString(), "--address", "127.0.0.1:" + Cli.closedPort());
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertTrue(run.err().contains("does not exist"), run.toString());
    }

    @Test
    void scheduleRefusesBadTimesBeforeConnectingToAnything() {
        String spec = Cli.spec(dir, "orders", "automatic").toString();
        String closed = "127.0.0.1:" + Cli.closedPort();
        assertRefused(
                Cli.run("schedule", "create", spec, "--at", "next saturday", "--address", closed),
                "--at 'next saturday' is not a time; write it as 2026-11-28T02:00");
        assertRefused(
                Cli.run("schedule", "create", spec, "--at", "2020-01-01T02:00", "--address", closed),
                "--at 2020-01-01T02:00 is in the past");
        assertRefused(
                Cli.run(
                        "schedule",
                        "create",
                        spec,
                        "--at",
                        "2099-01-01T02:00",
                        "--time-zone",
                        "Oslo",
                        "--address",
                        closed),
                "--time-zone 'Oslo' is not a time zone; give an IANA name such as Europe/Oslo");
        assertRefused(
                Cli.run("schedule", "create", spec, "--cron", "0 2 * * SAT", "--runs", "0", "--address", closed),
                "--runs must be at least 1");
        assertRefused(Cli.run("schedule", "create", spec, "--address", closed), "--at");
        assertRefused(
                Cli.run(
                        "schedule",
                        "create",
                        spec,
                        "--at",
                        "2099-01-01T02:00",
                        "--cron",
                        "0 2 * * SAT",
                        "--address",
                        closed),
                "mutually exclusive");
        assertRefused(
                Cli.run("schedule", "create", badSpec().toString(), "--cron", "0 2 * * SAT", "--address", closed),
                "source.address");
    }

    @Test
    void fleetStartRefusesABadFleetBeforeConnectingNamingEveryProblem() throws Exception {
        badSpec();
        Cli.spec(dir, "orders", "automatic");
        Path fleet = java.nio.file.Files.writeString(dir.resolve("fleet.yaml"), """
        fleet: Warehouse
        concurrency: 0
        approval: wave
        waves:
          - migrations: [bad.yaml, orders.yaml]
        """);
        Cli.Run run = Cli.run("fleet", "start", fleet.toString(), "--address", "127.0.0.1:" + Cli.closedPort());
        assertRefused(run, "fleet.yaml is not valid:");
        for (String problem : new String[] {
            "fleet: 'Warehouse' cannot become a workflow id",
                    "concurrency: is 0; give how many migrations may run at once",
            "waves[0].migrations[0] (bad.yaml): engine:", "waves[0].migrations[0] (bad.yaml): target.address:"
        }) {
            assertTrue(run.err().contains("\n  " + problem), "stderr should say " + problem + "\n" + run);
        }
        assertTrue(!run.err().contains("s3cret-Passw0rd"), "the inline password must not be echoed\n" + run);
        assertEquals(
                ExitCodes.BAD_INPUT, Cli.run("fleet", "approve", "warehouse").exit(), "--wave is required");
        assertEquals(ExitCodes.BAD_INPUT, Cli.run("fleet").exit());
    }

    private static void assertRefused(Cli.Run run, String why) {
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertTrue(run.err().contains(why), run.toString());
        assertEquals("", run.out());
        assertTrue(!run.err().contains("cannot reach"), "refused before connecting\n" + run);
    }

    /**
     * From where it runs, validate also finds what the spec's rules cannot: an unset env: secret, a
     * missing file: secret, a mistyped key path, a known_hosts file without the host, a host that
     * does not answer. Each names its field; exit 2.
     */
    @Test
    void validateChecksSecretsKeysAndHostsFromHere() throws Exception {
        Path key = java.nio.file.Files.writeString(dir.resolve("id_ed25519"), "not really a key\n");
        Path knownHosts = java.nio.file.Files.writeString(
                dir.resolve("known_hosts"),
                LabHost.SRC.address()
                        + " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n");
        String yaml =
                """
        name: checked
        engine: postgresql
        source:
          address: %s
          ssh:
            privateKey: %s
            knownHosts: %s
          database:
            adminPassword: env:SWITCHOVER_TEST_SURELY_UNSET
        target:
          address: %s
          ssh:
            privateKey: %s/id_typo
            knownHosts: %s
          database:
            adminPassword: file:%s/no-such-secret
        replication:
          password: file:%s
        """.formatted(LabHost.SRC.address(), key, knownHosts, LabHost.DST.address(), dir, knownHosts, dir, key);
        Path spec = Cli.write(dir.resolve("checked.yaml"), yaml);
        Cli.Run run = Cli.run("validate", spec.toString());
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertEquals("", run.out(), "no 'valid' and no effective spec\n" + run);
        String err = run.err();
        assertTrue(
                err.contains("source.database.adminPassword: the environment variable SWITCHOVER_TEST_SURELY_UNSET is"
                        + " not set here"),
                err);
        assertTrue(
                err.contains("target.database.adminPassword: the file " + dir + "/no-such-secret does not exist"), err);
        assertTrue(err.contains("target.ssh.privateKey: " + dir + "/id_typo does not exist"), err);
        assertTrue(
                err.contains("target.ssh.knownHosts: " + knownHosts + " has no key for " + LabHost.DST.address()), err);
        assertFalse(err.contains("source.ssh.knownHosts"), "the source's key is listed\n" + err);
        assertFalse(err.contains("replication.password"), "a readable file secret\n" + err);
        assertTrue(err.contains("--offline skips these checks"), err);

        Cli.Run offline = Cli.run("validate", "--offline", spec.toString());
        assertEquals(ExitCodes.OK, offline.exit(), offline.toString());
    }

    @Test
    void aHashedKnownHostsLineNamesItsHost() throws Exception {
        // ssh-keygen -H writes |1|salt|HMAC-SHA1(salt, host); this one is for dst.
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        byte[] salt = "0123456789abcdefghij".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA1"));
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        String hashed = "|1|" + b64.encodeToString(salt) + "|"
                + b64.encodeToString(
                        mac.doFinal(LabHost.DST.address().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        Path file = java.nio.file.Files.writeString(dir.resolve("hashed"), hashed + " ssh-ed25519 AAAA\n");
        assertTrue(LocalChecks.knows(file, LabHost.DST.address(), 22));
        assertFalse(LocalChecks.knows(file, LabHost.SRC.address(), 22));
    }

    @Test
    void validatePrintsEffectiveSpecWithDefaults() {
        Path spec = Cli.spec(dir, "orders", "manual");
        Cli.Run run = Cli.run("validate", "--offline", spec.toString());
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        assertTrue(run.out().startsWith(spec + " is valid (spec only)\n"), run.toString());
        assertTrue(run.out().contains("switchover-orders"), run.toString());
        assertTrue(run.out().contains("holdFor: 1s"), run.toString());
        assertTrue(run.out().contains("port: 5432"), "defaults filled in\n" + run);
        assertTrue(run.out().contains("adminPassword: env:PG_ADMIN_PASSWORD"), run.toString());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(ExitCodes.BAD_INPUT, Cli.run().exit());
        assertEquals(ExitCodes.BAD_INPUT, Cli.run("frobnicate").exit());
        assertEquals(ExitCodes.BAD_INPUT, Cli.run("status").exit());
        Cli.Run noReason = Cli.run("abort", "switchover-orders");
        assertEquals(ExitCodes.BAD_INPUT, noReason.exit(), noReason.toString());
        assertTrue(noReason.err().contains("--reason"), noReason.toString());
        assertEquals(
                ExitCodes.BAD_INPUT,
                Cli.run("start", "x.yaml", "--poll", "soon").exit());
    }

    /** Every verb, nested ones too, answers --help and -h with its usage, whatever else it requires. */
    @Test
    void everyVerbHasHelp() {
        List<List<String>> verbs = new ArrayList<>();
        collect(SwitchoverCli.commandLine(), new ArrayList<>(), verbs);
        assertTrue(verbs.size() >= 15, "verbs found: " + verbs);
        for (List<String> verb : verbs) {
            for (String flag : new String[] {"--help", "-h"}) {
                List<String> args = new ArrayList<>(verb);
                args.add(flag);
                Cli.Run run = Cli.run(args.toArray(String[]::new));
                assertEquals(ExitCodes.OK, run.exit(), args + "\n" + run);
                assertTrue(run.out().contains("Usage: switchover " + String.join(" ", verb)), args + "\n" + run);
            }
        }
    }

    private static void collect(picocli.CommandLine cli, List<String> path, List<List<String>> into) {
        for (var sub : cli.getSubcommands().entrySet()) {
            List<String> verb = new ArrayList<>(path);
            verb.add(sub.getKey());
            into.add(verb);
            collect(sub.getValue(), verb, into);
        }
    }

    /** Each list of verbs gives every verb's whole first sentence, not a clause cut at a line's end. */
    @Test
    void theVerbListsSayWholeSentences() {
        for (String[] args : new String[][] {{"--help"}, {"fleet", "--help"}, {"schedule", "--help"}}) {
            assertWholeSentences(Cli.run(args));
        }
    }

    private static void assertWholeSentences(Cli.Run run) {
        List<String> entries = new ArrayList<>();
        for (String line : run.out()
                .lines()
                .dropWhile(l -> !l.startsWith("Commands:"))
                .skip(1)
                .takeWhile(l -> !l.isBlank())
                .toList()) {
            // "  verb   summary…", wrapped onto lines indented further.
            if (line.matches("  \\S.*")) entries.add(line.strip());
            else entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.strip());
        }
        assertTrue(entries.size() >= 3, run.toString());
        for (String entry : entries) {
            assertTrue(entry.endsWith(".") || entry.endsWith(")"), "cut short: " + entry);
        }
    }

    @Test
    void helpExitsZero() {
        Cli.Run run = Cli.run("--help");
        assertEquals(ExitCodes.OK, run.exit());
        for (String verb :
                new String[] {"start", "status", "approve", "abort", "pause", "resume", "list", "validate"}) {
            assertTrue(run.out().contains(verb), verb + "\n" + run);
        }
    }

    @Test
    void unreachableConfiguredServerExitsOneSayingWhere() {
        String address = "127.0.0.1:" + Cli.closedPort();
        Cli.Run run = Cli.run("status", "switchover-orders", "--address", address);
        assertEquals(ExitCodes.FAILED, run.exit(), run.toString());
        assertTrue(run.err().contains("cannot reach Temporal at " + address), run.toString());
    }

    @Test
    void noServerAnywhereExitsOneSayingHowToFixIt() {
        assumeTrue(System.getenv("TEMPORAL_ADDRESS") == null, "TEMPORAL_ADDRESS is set in this environment");
        TemporalConnection.localAddress = "127.0.0.1:" + Cli.closedPort();
        Cli.Run run = Cli.run("status", "switchover-orders");
        assertEquals(ExitCodes.FAILED, run.exit(), run.toString());
        assertTrue(run.err().contains("set TEMPORAL_ADDRESS"), run.toString());
        assertTrue(run.err().contains("`./switchover worker`"), run.toString());
    }
}
