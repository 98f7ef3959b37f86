package dev.switchover.workflows.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The checks the workflow repeats on its input, run on specs built in code as automation would. */
class SpecValidatorTest {
    private static final String KEY = "/var/lib/switchover-lab/client/id_ed25519";
    private static final String PASSWORD = "file:/var/lib/switchover-lab/secrets/pg-admin-password";

    @Test
    void validSpecHasNoProblems() {
        assertEquals(List.of(), SpecValidator.validate(spec()));
    }

    @Test
    void nullSpecIsAProblemNotAnException() {
        assertEquals(List.of("(spec)"), fields(SpecValidator.validate(null)));
    }

    @Test
    void emptySpecListsTheTopLevelRequiredFields() {
        MigrationSpec empty = new MigrationSpec(null, null, null, null, null, null, null, null, null, null, null);

        assertEquals(
                List.of("name", "engine", "source", "target", "replication.password"),
                fields(SpecValidator.validate(empty)));
    }

    @Test
    void emptyPartsAreReportedByTheirRequiredFields() {
        MigrationSpec spec = new MigrationSpec(
                "orders",
                Engine.POSTGRESQL,
                new HostSpec(null, null, null),
                new HostSpec(
                        "198.18.0.12",
                        new SshSpec(null, null, null, null, null),
                        new DatabaseSpec(null, null, null, null, null, null, null, null)),
                new ReplicationSpec(null, null, null),
                new BenchmarkSpec(null, null, null, null, null, null, null),
                new CatchUpSpec(null, null, null, null, null),
                new CutoverSpec(null, null, new HookSpec(null, null, null), null, null, null),
                new TrafficSpec(null, null, null),
                new BackupSpec(null, null),
                new ReportSpec(null));

        assertEquals(
                List.of(
                        "source.address",
                        "source.ssh.privateKey",
                        "source.database.adminPassword",
                        "target.ssh.privateKey",
                        "target.database.adminPassword",
                        "replication.password",
                        "cutover.stopApplication.command"),
                fields(SpecValidator.validate(spec)));
    }

    @Test
    void nameMustBeUsableAsAWorkflowId() {
        assertProblem(withName("Orders_DB"), "name", "lower-case letters, digits and -");
        assertProblem(withName("-orders"), "name", "starting with a letter or digit");
        assertProblem(withName("a".repeat(64)), "name", "at most 63 characters");
        assertEquals(List.of(), SpecValidator.validate(withName("a".repeat(52))));
    }

    @Test
    void longNameWouldMakeTheDefaultSlotTooLong() {
        assertProblem(withName("a".repeat(63)), "replication.slot", "over PostgreSQL's 63");
    }

    @Test
    void slotMustBeAPostgresqlSlotName() {
        MigrationSpec spec = spec();
        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                new ReplicationSpec(null, "env:REPL", "orders-slot"),
                null,
                null,
                null,
                null,
                null,
                null);

        assertProblem(spec, "replication.slot", "use lower-case letters, digits and _");
    }

    @Test
    void mysqlHasNoSlotsAndShortAccountNames() {
        MigrationSpec spec = spec();
        MigrationSpec slot = new MigrationSpec(
                spec.name(),
                Engine.MYSQL,
                spec.source(),
                spec.target(),
                new ReplicationSpec(null, "env:REPL", "orders_slot"),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(slot, "replication.slot", "has no slots, so remove it");
        spec = new MigrationSpec(
                spec.name(),
                Engine.MYSQL,
                spec.source(),
                spec.target(),
                new ReplicationSpec("r".repeat(33), "env:REPL", null),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(spec, "replication.user", "at most 32");
        MigrationSpec mariadb = new MigrationSpec(
                spec.name(),
                Engine.MARIADB,
                spec.source(),
                spec.target(),
                new ReplicationSpec("r".repeat(33), "env:REPL", null),
                null,
                null,
                null,
                null,
                null,
                null);
        assertEquals(List.of(), SpecValidator.validate(mariadb), "MariaDB allows 80 characters");
        MigrationSpec mariadbClone = new MigrationSpec(
                spec.name(),
                Engine.MARIADB,
                spec.source(),
                spec.target(),
                new ReplicationSpec(null, "env:REPL", null, "clone"),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(mariadbClone, "replication.copyMethod", "MariaDB does not have");
        MigrationSpec postgresDump = new MigrationSpec(
                spec.name(),
                Engine.POSTGRESQL,
                spec.source(),
                spec.target(),
                new ReplicationSpec(null, "env:REPL", null, "dump"),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(postgresDump, "replication.copyMethod", "pg_basebackup");
        MigrationSpec typo = new MigrationSpec(
                spec.name(),
                Engine.MYSQL,
                spec.source(),
                spec.target(),
                new ReplicationSpec(null, "env:REPL", null, "xtrabackup"),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(typo, "replication.copyMethod", "use dump or clone");
    }

    @Test
    void portsMustBeTcpPorts() {
        MigrationSpec spec = spec();
        HostSpec source = new HostSpec(
                "198.18.0.11",
                new SshSpec(null, 0, KEY, null, null),
                new DatabaseSpec(70000, null, PASSWORD, null, null, null, null, null));
        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                source,
                spec.target(),
                spec.replication(),
                null,
                null,
                null,
                new TrafficSpec(
                        TrafficSwitch.PGBOUNCER,
                        null,
                        new PgBouncerSpec(
                                "198.18.0.10",
                                -1,
                                null,
                                "env:PGB",
                                "orders",
                                new SshSpec(null, null, KEY, null, null),
                                null)),
                null,
                null);

        List<SpecProblem> problems = SpecValidator.validate(spec);

        assertEquals(List.of("source.ssh.port", "source.database.port", "traffic.pgbouncer.port"), fields(problems));
        assertEquals(
                "70000 is not a TCP port; use a number from 1 to 65535",
                problems.get(1).message());
    }

    @Test
    void sourceAndTargetMustBeDifferentServers() {
        MigrationSpec spec = spec();
        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                host(" 198.18.0.11 "),
                spec.replication(),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(spec, "target.address", "source and target must be different servers");

        MigrationSpec named = new MigrationSpec(
                spec.name(),
                spec.engine(),
                host("DB1.example.com"),
                host("db1.example.com"),
                spec.replication(),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(named, "target.address", "source and target must be different servers");
    }

    @Test
    void thresholdsMustNotBeNegative() {
        MigrationSpec spec = with(
                new BenchmarkSpec(-1, null, Duration.ZERO, 0, null, 0, null),
                new CatchUpSpec(-1L, -0.5, null, null, null));

        assertEquals(
                List.of(
                        "benchmark.minIops",
                        "benchmark.runtime",
                        "benchmark.numJobs",
                        "benchmark.ioDepth",
                        "catchUp.maxLagBytes",
                        "catchUp.maxLagSeconds"),
                fields(SpecValidator.validate(spec)));
    }

    @Test
    void zeroIopsFloorAndZeroLagAreAllowed() {
        MigrationSpec spec = with(
                new BenchmarkSpec(0, null, null, null, null, null, null), new CatchUpSpec(0L, 0.0, null, null, null));

        assertEquals(List.of(), SpecValidator.validate(spec));
    }

    @Test
    void notANumberIsNotALag() {
        assertProblem(
                with(null, new CatchUpSpec(null, Double.NaN, null, null, null)), "catchUp.maxLagSeconds", "e.g. 1.0");
    }

    @Test
    void timeoutsAndIntervalsMustBePositive() {
        MigrationSpec spec = spec();
        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                spec.replication(),
                null,
                new CatchUpSpec(null, null, null, Duration.ofSeconds(-1), null),
                new CutoverSpec(
                        null,
                        Duration.ZERO,
                        new HookSpec("true", null, Duration.ZERO),
                        null,
                        null,
                        Duration.ofMillis(-5)),
                null,
                null,
                null);

        List<SpecProblem> problems = SpecValidator.validate(spec);

        assertEquals(
                List.of(
                        "catchUp.deadline",
                        "cutover.approvalValidFor",
                        "cutover.stopApplication.timeout",
                        "cutover.syncTimeout"),
                fields(problems));
        assertEquals(
                "PT-1S is not a positive duration; write a length of time such as 30s, 5m or 1h30m",
                problems.get(0).message());
    }

    @Test
    void holdForMustBeShorterThanDeadline() {
        SpecProblem p =
                onlyProblem(with(null, new CatchUpSpec(null, null, Duration.ofHours(2), Duration.ofHours(1), null)));

        assertEquals("catchUp.holdFor", p.field());
        assertEquals(
                "2h is not shorter than deadline (1h), so the target could never count as caught up; shorten"
                        + " holdFor or lengthen deadline",
                p.message());
    }

    @Test
    void shortDeadlineIsComparedWithTheDefaultHoldFor() {
        SpecProblem p = onlyProblem(with(null, new CatchUpSpec(null, null, null, Duration.ofSeconds(10), null)));

        assertEquals("catchUp.holdFor", p.field());
        assertTrue(p.message().startsWith("30s (the default) is not shorter than deadline (10s)"), p.message());
    }

    @Test
    void pollEveryMustNotBeLongerThanHoldFor() {
        SpecProblem p = onlyProblem(
                with(null, new CatchUpSpec(null, null, Duration.ofSeconds(10), null, Duration.ofSeconds(11))));

        assertEquals("catchUp.pollEvery", p.field());
        assertTrue(p.message().contains("poll more often or hold for longer"), p.message());
        assertEquals(
                List.of(),
                SpecValidator.validate(
                        with(null, new CatchUpSpec(null, null, Duration.ofSeconds(10), null, Duration.ofSeconds(10)))));
    }

    @Test
    void pathsMustBeAbsolute() {
        HostSpec target = new HostSpec(
                "198.18.0.12",
                new SshSpec(null, null, "keys/id", "known_hosts", null),
                new DatabaseSpec(null, null, PASSWORD, null, "pgdata", null, null, null));
        MigrationSpec spec = spec();
        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                target,
                spec.replication(),
                new BenchmarkSpec(null, null, null, null, null, null, "tmp"),
                null,
                null,
                null,
                new BackupSpec(true, "backups"),
                null);

        List<SpecProblem> problems = SpecValidator.validate(spec);

        assertEquals(
                List.of(
                        "target.ssh.privateKey",
                        "target.ssh.knownHosts",
                        "target.database.dataDirectory",
                        "benchmark.directory",
                        "backup.destination"),
                fields(problems));
        assertEquals(
                "'pgdata' is not an absolute path; write it from the root, starting with /",
                problems.get(2).message());
    }

    @Test
    void backupRateIsOnePgBasebackupTakes() {
        for (String ok : List.of("32", "50M", "800k", "1024M")) {
            assertEquals(List.of(), SpecValidator.validate(withBackupRate(Engine.POSTGRESQL, ok)), ok);
        }
        for (String bad : List.of("31k", "2G", "50 MB/s", "1025M", "99999999999999")) {
            assertProblem(withBackupRate(Engine.POSTGRESQL, bad), "backup.maxRate", "from 32k to 1024M");
        }
        assertProblem(withBackupRate(Engine.MYSQL, "50M"), "backup.maxRate", "has no rate limit, so remove it");
    }

    private static MigrationSpec withBackupRate(Engine engine, String rate) {
        MigrationSpec spec = spec();
        return new MigrationSpec(
                spec.name(),
                engine,
                spec.source(),
                spec.target(),
                spec.replication(),
                null,
                null,
                null,
                null,
                new BackupSpec(true, "/var/backups/switchover", rate),
                null);
    }

    @Test
    void cutoverWindowNamesEachBadPartAndItsFix() {
        MigrationSpec ok =
                withWindow(new CutoverWindowSpec(List.of("sat", "SUN"), "22:00", "02:00", "Europe/Oslo", "refuse"));
        assertEquals(List.of(), SpecValidator.validate(ok));
        MigrationSpec bad = withWindow(new CutoverWindowSpec(List.of("Saturday"), "2am", "24:00", "Oslo", "wait"));
        List<SpecProblem> problems = SpecValidator.validate(bad);
        assertEquals(
                List.of(
                        "cutover.window.days",
                        "cutover.window.from",
                        "cutover.window.to",
                        "cutover.window.timeZone",
                        "cutover.window.outside"),
                fields(problems));
        List<String> fixes = List.of(
                "write days as MON, TUE, WED, THU, FRI, SAT, SUN",
                "write it as HH:MM",
                "00:00 to 23:59",
                "IANA name such as Europe/Oslo",
                "write defer");
        for (int i = 0; i < fixes.size(); i++) {
            assertTrue(
                    problems.get(i).message().contains(fixes.get(i)),
                    problems.get(i).toString());
        }
        assertProblem(
                withWindow(new CutoverWindowSpec(null, "02:00", "02:00", "UTC", null)),
                "cutover.window.to",
                "the window would never be open");
        assertProblem(
                withWindow(new CutoverWindowSpec(null, "02:00", "04:00", null, null)),
                "cutover.window.timeZone",
                "is required");
    }

    @Test
    void freezeTimeoutIsPositiveAndShortForEveryWriteWaitsThroughIt() {
        assertProblem(
                withFreezeTimeout(java.time.Duration.ofMinutes(10)), "cutover.freezeTimeout", "every write waits");
        assertProblem(withFreezeTimeout(java.time.Duration.ZERO), "cutover.freezeTimeout", "");
        assertEquals(List.of(), SpecValidator.validate(withFreezeTimeout(java.time.Duration.ofSeconds(3))));
        assertEquals(
                java.time.Duration.ofSeconds(5), spec().withDefaults().cutover().freezeTimeout());
        assertEquals(false, spec().withDefaults().cutover().endBlockingSessions());
    }

    private static MigrationSpec withFreezeTimeout(java.time.Duration timeout) {
        MigrationSpec spec = spec();
        return new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                spec.replication(),
                null,
                null,
                new CutoverSpec(null, null, null, null, null, null, null, timeout, null),
                null,
                null,
                null);
    }

    private static MigrationSpec withWindow(CutoverWindowSpec window) {
        MigrationSpec spec = spec();
        return new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                spec.replication(),
                null,
                null,
                new CutoverSpec(null, null, null, null, null, null, window),
                null,
                null,
                null);
    }

    @Test
    void webhookUrlIsAnHttpUrlOrAReferenceWithoutCredentials() {
        for (String ok : List.of(
                "https://hooks.example.com/switchover",
                "http://198.18.0.1:8080/events?team=db",
                "env:SWITCHOVER_WEBHOOK_URL",
                "file:/etc/switchover/webhook-url")) {
            assertEquals(List.of(), SpecValidator.validate(withWebhook(ok, null)), ok);
        }
        assertProblem(withWebhook(null, null), "notifications.webhook.url", "is required; write the http(s) URL");
        assertProblem(
                withWebhook("hooks.example.com/switchover", null),
                "notifications.webhook.url",
                "write an absolute URL such as https://hooks.example.com/switchover");
        assertProblem(
                withWebhook("ftp://hooks.example.com/x", null),
                "notifications.webhook.url",
                "not an http or https URL");
        assertProblem(withWebhook("env:hooks-url", null), "notifications.webhook.url", "env: must be followed by");
        SpecProblem credentials = onlyProblem(withWebhook("https://ops:Hunter22@hooks.example.com/x", null));
        assertEquals("notifications.webhook.url", credentials.field());
        assertTrue(
                credentials
                        .message()
                        .contains("put the whole URL in a secret and write env:VARIABLE or" + " file:/path/to/secret"),
                credentials.message());
        assertTrue(!credentials.toString().contains("Hunter22"), credentials.toString());
    }

    @Test
    void webhookAuthorizationIsAReferenceNeverTheTokenItself() {
        assertEquals(List.of(), SpecValidator.validate(withWebhook("https://hooks.example.com/x", "env:WEBHOOK_AUTH")));
        SpecProblem inline = onlyProblem(withWebhook("https://hooks.example.com/x", "Bearer abc123"));
        assertEquals("notifications.webhook.authorization", inline.field());
        assertTrue(inline.message().contains("write env:VARIABLE or file:/path/to/secret instead"), inline.message());
        assertTrue(!inline.toString().contains("abc123"), inline.toString());
        MigrationSpec spec = spec();
        assertProblem(
                new MigrationSpec(
                        spec.name(),
                        spec.engine(),
                        spec.source(),
                        spec.target(),
                        spec.replication(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        new NotificationsSpec(null)),
                "notifications.webhook",
                "give its url");
    }

    private static MigrationSpec withWebhook(String url, String authorization) {
        MigrationSpec spec = spec();
        return new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                spec.replication(),
                null,
                null,
                null,
                null,
                null,
                null,
                new NotificationsSpec(new WebhookSpec(url, authorization)));
    }

    @Test
    void sshPathsMayStartAtHome() {
        HostSpec target = new HostSpec(
                "198.18.0.12",
                new SshSpec(null, null, "~/.ssh/id_ed25519", "~/.ssh/known_hosts", null),
                new DatabaseSpec(null, null, PASSWORD, null, null, null, null, null));
        MigrationSpec spec = spec();

        assertEquals(
                List.of(),
                SpecValidator.validate(new MigrationSpec(
                        spec.name(),
                        spec.engine(),
                        spec.source(),
                        target,
                        spec.replication(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)));
    }

    @Test
    void privateKeyContentsAreRefusedWithoutRepeatingThem() {
        String key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
        HostSpec target = new HostSpec(
                "198.18.0.12",
                new SshSpec(null, null, key, null, null),
                new DatabaseSpec(null, null, PASSWORD, null, null, null, null, null));
        MigrationSpec spec = spec();

        SpecProblem p = onlyProblem(new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                target,
                spec.replication(),
                null,
                null,
                null,
                null,
                null,
                null));

        assertEquals("target.ssh.privateKey", p.field());
        assertTrue(p.message().contains("write the path of the key file instead"), p.message());
        assertTrue(!p.toString().contains("b3BlbnNzaC1rZXktdjEAAAAA"), p.toString());
    }

    @Test
    void blankOptionalTextIsAProblemRatherThanAnEmptyCommand() {
        HostSpec target = new HostSpec(
                "198.18.0.12",
                new SshSpec(null, null, KEY, null, null),
                new DatabaseSpec(null, " ", PASSWORD, null, null, "", null, null));
        MigrationSpec spec = spec();

        assertEquals(
                List.of("target.database.adminUser", "target.database.serviceStart"),
                fields(SpecValidator.validate(new MigrationSpec(
                        spec.name(),
                        spec.engine(),
                        spec.source(),
                        target,
                        spec.replication(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))));
    }

    @Test
    void pgbouncerOnlyFrontsPostgresql() {
        MigrationSpec spec = spec();
        spec = new MigrationSpec(
                spec.name(),
                Engine.MYSQL,
                spec.source(),
                spec.target(),
                spec.replication(),
                null,
                null,
                null,
                new TrafficSpec(
                        TrafficSwitch.PGBOUNCER,
                        null,
                        new PgBouncerSpec(
                                "198.18.0.10",
                                null,
                                null,
                                "env:PGB",
                                "shop",
                                new SshSpec(null, null, KEY, null, null),
                                null)),
                null,
                null);

        assertProblem(spec, "traffic.type", "pgbouncer only fronts PostgreSQL; for mysql use command");
    }

    @Test
    void trafficCommandWithoutItsTypeWouldNeverRun() {
        MigrationSpec spec = spec();
        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                spec.replication(),
                null,
                null,
                null,
                new TrafficSpec(null, new HookSpec("/usr/local/bin/switch-dns", null, null), null),
                null,
                null);

        SpecProblem p = onlyProblem(spec);

        assertEquals("traffic.type", p.field());
        assertEquals(
                "is none (the default), so traffic.command would never run; set type: command, or remove"
                        + " traffic.command",
                p.message());
    }

    @Test
    void pgbouncerTypeWithoutItsSection() {
        MigrationSpec spec = spec();
        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                spec.replication(),
                null,
                null,
                null,
                new TrafficSpec(TrafficSwitch.PGBOUNCER, null, null),
                null,
                null);

        assertProblem(spec, "traffic.pgbouncer", "is required when traffic.type is pgbouncer");
    }

    @Test
    void badSecretReferencesNameTheFix() {
        MigrationSpec spec = spec();
        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                new ReplicationSpec(null, "env:1-BAD", null),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(spec, "replication.password", "e.g. env:SWITCHOVER_REPLICATION_PASSWORD");

        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                new ReplicationSpec(null, "file:secrets/repl", null),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(spec, "replication.password", "file: must be followed by an absolute path");

        spec = new MigrationSpec(
                spec.name(),
                spec.engine(),
                spec.source(),
                spec.target(),
                new ReplicationSpec(null, "  ", null),
                null,
                null,
                null,
                null,
                null,
                null);
        assertProblem(spec, "replication.password", "write env:VARIABLE or file:/path/to/secret");
    }

    // ---- helpers

    private static MigrationSpec spec() {
        return new MigrationSpec(
                "orders",
                Engine.POSTGRESQL,
                host("198.18.0.11"),
                host("198.18.0.12"),
                new ReplicationSpec(null, "env:SWITCHOVER_REPLICATION_PASSWORD", null),
                null,
                null,
                null,
                null,
                null,
                null);
    }

    private static HostSpec host(String address) {
        return new HostSpec(
                address,
                new SshSpec(null, null, KEY, null, null),
                new DatabaseSpec(null, null, PASSWORD, null, null, null, null, null));
    }

    private static MigrationSpec withName(String name) {
        MigrationSpec s = spec();
        return new MigrationSpec(
                name, s.engine(), s.source(), s.target(), s.replication(), null, null, null, null, null, null);
    }

    private static MigrationSpec with(BenchmarkSpec benchmark, CatchUpSpec catchUp) {
        MigrationSpec s = spec();
        return new MigrationSpec(
                s.name(),
                s.engine(),
                s.source(),
                s.target(),
                s.replication(),
                benchmark,
                catchUp,
                null,
                null,
                null,
                null);
    }

    private static SpecProblem onlyProblem(MigrationSpec spec) {
        List<SpecProblem> problems = SpecValidator.validate(spec);
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }

    private static void assertProblem(MigrationSpec spec, String field, String fix) {
        SpecProblem p = onlyProblem(spec);
        assertEquals(field, p.field());
        assertTrue(p.message().contains(fix), p.message());
    }

    private static List<String> fields(List<SpecProblem> problems) {
        return problems.stream().map(SpecProblem::field).collect(Collectors.toList());
    }
}
