package dev.switchover.workflows.spec;

import static dev.switchover.workflows.spec.SpecYaml.example;
import static dev.switchover.workflows.spec.SpecYaml.fields;
import static dev.switchover.workflows.spec.SpecYaml.minimal;
import static dev.switchover.workflows.spec.SpecYaml.onlyProblem;
import static dev.switchover.workflows.spec.SpecYaml.rejected;
import static dev.switchover.workflows.spec.SpecYaml.resource;
import static dev.switchover.workflows.spec.SpecYaml.with;
import static dev.switchover.workflows.spec.SpecYaml.without;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecLoaderTest {

    @Test
    void postgresqlExampleLoadsWithItsValues() {
        MigrationSpec spec = SpecLoader.load(example("postgresql.yaml"));

        assertEquals("orders-pg15", spec.name());
        assertEquals(Engine.POSTGRESQL, spec.engine());
        assertEquals("198.18.0.11", spec.source().address());
        assertEquals("198.18.0.12", spec.target().address());
        assertEquals(
                "/var/lib/switchover-lab/client/id_ed25519", spec.source().ssh().privateKey());
        assertEquals(
                "/var/lib/switchover-lab/client/known_hosts",
                spec.target().ssh().knownHosts());
        assertEquals(
                "file:/var/lib/switchover-lab/secrets/pg-admin-password",
                spec.source().database().adminPassword());
        assertEquals("env:SWITCHOVER_REPLICATION_PASSWORD", spec.replication().password());
        assertEquals("/var/lib/postgresql/15/main", spec.target().database().dataDirectory());
        assertEquals("pg_ctlcluster 15 main start", spec.target().database().serviceStart());
        assertEquals("pg_ctlcluster 15 main stop", spec.source().database().serviceStop());
        assertEquals(Duration.ofHours(6), spec.catchUp().deadline());
        assertEquals(Duration.ofMinutes(2), spec.cutover().stopApplication().timeout());
        assertEquals(TrafficSwitch.PGBOUNCER, spec.traffic().type());
        assertEquals("orders", spec.traffic().pgbouncer().database());
    }

    @Test
    void postgresqlExampleTargetGetsDefaultsForWhatItLeavesOut() {
        MigrationSpec spec = SpecLoader.load(example("postgresql.yaml"));

        assertEquals(22, spec.target().ssh().port());
        assertEquals(Duration.ofSeconds(10), spec.target().ssh().connectTimeout());
        assertEquals(5432, spec.target().database().port());
        assertEquals("postgres", spec.target().database().adminUser());
        assertEquals("postgres", spec.target().database().osUser());
    }

    @Test
    void mysqlExampleGetsMysqlDefaults() {
        MigrationSpec spec = SpecLoader.load(example("mysql.yaml"));

        assertEquals(Engine.MYSQL, spec.engine());
        DatabaseSpec source = spec.source().database();
        assertEquals(3306, source.port());
        assertEquals("root", source.adminUser());
        assertEquals("mysql", source.osUser());
        assertEquals("systemctl start mysql", source.serviceStart());
        assertEquals("systemctl stop mysql", source.serviceStop());
        assertEquals(TlsMode.PREFER, source.tls());
        assertEquals(TlsMode.REQUIRE, spec.target().database().tls());
        assertEquals("root", spec.source().ssh().user());
        assertEquals(22, spec.source().ssh().port());
        assertEquals("~/.ssh/id_ed25519", spec.source().ssh().privateKey());
        assertEquals(2.0, spec.catchUp().maxLagSeconds());
        assertEquals(1_048_576L, spec.catchUp().maxLagBytes());
        assertEquals(Duration.ofSeconds(30), spec.catchUp().holdFor());
        assertEquals(Duration.ofHours(12), spec.catchUp().deadline());
        assertEquals(Duration.ofSeconds(5), spec.catchUp().pollEvery());
        assertEquals(CutoverMode.AUTOMATIC, spec.cutover().mode());
        assertEquals(Duration.ofMinutes(30), spec.cutover().approvalValidFor());
        assertEquals(Duration.ofSeconds(60), spec.cutover().syncTimeout());
        assertFalse(spec.cutover().allowSourceRestart());
        assertEquals(HookHost.LOCAL, spec.traffic().command().host());
        assertEquals(Duration.ofMinutes(5), spec.traffic().command().timeout());
        assertEquals(5000, spec.benchmark().minIops());
        assertEquals(Duration.ofSeconds(60), spec.benchmark().runtime());
        assertEquals("/var/backups/switchover", spec.backup().destination());
        assertTrue(spec.backup().enabled());
        assertEquals("reports", spec.report().directory());
    }

    @Test
    void minimalSpecGetsPostgresqlDefaults() {
        MigrationSpec spec = SpecLoader.parse(resource("minimal.yaml"), "minimal.yaml");

        assertEquals(5432, spec.source().database().port());
        assertEquals("postgres", spec.source().database().adminUser());
        assertEquals("systemctl start postgresql", spec.source().database().serviceStart());
        assertEquals("~/.ssh/known_hosts", spec.source().ssh().knownHosts());
        assertEquals("replicator", spec.replication().user());
        assertEquals("switchover_orders", spec.replication().slot());
        assertEquals(CutoverMode.MANUAL, spec.cutover().mode());
        assertEquals(TrafficSwitch.NONE, spec.traffic().type());
        assertNull(spec.traffic().command());
        assertEquals(10_000, spec.benchmark().minIops());
        assertNull(spec.source().database().dataDirectory());
    }

    @Test
    void cutoverWindowLoadsFromYamlWithItsDefaults() {
        String yaml = resource("minimal.yaml") + """
        cutover:
          mode: automatic
          window:
            days: [sat, Sun]
            from: "22:00"
            to: "02:00"
            timeZone: Europe/Oslo
        """;
        CutoverWindowSpec w = SpecLoader.parse(yaml, "window.yaml").cutover().window();
        assertEquals(new CutoverWindowSpec(List.of("SAT", "SUN"), "22:00", "02:00", "Europe/Oslo", "defer"), w);
        assertNull(
                SpecLoader.parse(resource("minimal.yaml"), "minimal.yaml")
                        .cutover()
                        .window(),
                "no window: any time");
        String oneDay = yaml.replace("days: [sat, Sun]", "days: SAT");
        assertEquals(
                List.of("SAT"),
                SpecLoader.parse(oneDay, "one-day.yaml").cutover().window().days());
        InvalidSpecException nested = assertThrows(
                InvalidSpecException.class,
                () -> SpecLoader.parse(yaml.replace("days: [sat, Sun]", "days: [[SAT]]"), "nested.yaml"));
        assertEquals(List.of("cutover.window.days"), fields(nested));
    }

    @Test
    void notificationsLoadFromYamlAndStayAbsentWhenNotGiven() {
        String yaml = resource("minimal.yaml") + """
        notifications:
          webhook:
            url: env:SWITCHOVER_WEBHOOK_URL
            authorization: file:/etc/switchover/webhook-auth
        """;
        assertEquals(
                new NotificationsSpec(
                        new WebhookSpec("env:SWITCHOVER_WEBHOOK_URL", "file:/etc/switchover/webhook-auth")),
                SpecLoader.parse(yaml, "notify.yaml").notifications());
        assertNull(SpecLoader.parse(resource("minimal.yaml"), "minimal.yaml").notifications());

        InvalidSpecException e = assertThrows(
                InvalidSpecException.class,
                () -> SpecLoader.parse(
                        yaml.replace("url: env:SWITCHOVER_WEBHOOK_URL", "uri: https://hooks.example.com/x")
                                .replace("file:/etc/switchover/webhook-auth", "Bearer s3cr3t-t0ken"),
                        "typo.yaml"));
        // The typo explains the missing url, so that is not reported again.
        assertEquals(List.of("notifications.webhook.uri", "notifications.webhook.authorization"), fields(e));
        assertTrue(e.getMessage().contains("did you mean url?"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t-t0ken"), e.getMessage());
    }

    @Test
    void badExampleReportsEachMistakeOnItsField() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> SpecLoader.load(example("bad.yaml")));

        assertEquals(
                List.of(
                        "engine",
                        "source.database.adminPassword",
                        "source.database.port",
                        "target.address",
                        "target.databse"),
                fields(e));
        assertFalse(e.getMessage().contains("s3cret-Passw0rd"), e.getMessage());
        assertTrue(e.getMessage().startsWith(example("bad.yaml") + " is not a valid migration spec (5 problems):"));
    }

    @Test
    void fiveMistakesAreReportedInOneException() {
        InvalidSpecException e = rejected(resource("five-mistakes.yaml"));

        assertEquals(
                List.of(
                        "name",
                        "source.ssh.prot",
                        "target.database.dataDirectory",
                        "replication.password",
                        "catchUp.holdFor"),
                fields(e));
        assertEquals(6, e.getMessage().lines().count(), "a heading and one line per problem:\n" + e.getMessage());
    }

    @Test
    void unknownEngineListsTheEngines() {
        SpecProblem p = onlyProblem(with("engine", "oracle"));

        assertEquals("engine", p.field());
        assertEquals(
                "engine: 'oracle' is not an engine switchover knows; use one of postgresql, mysql, mariadb",
                p.toString());
    }

    @Test
    void engineIsReadInAnyCase() {
        assertEquals(
                Engine.MARIADB, SpecLoader.parse(with("engine", "MariaDB"), "t").engine());
    }

    @Test
    void unknownEnumValuesListTheirYamlSpelling() {
        assertEquals(
                "'sometimes' is not a cutover mode; use one of manual, automatic",
                onlyProblem(with("cutover.mode", "sometimes")).message());
        assertEquals(
                "'dns' is not a way to switch traffic; use one of none, command, pgbouncer",
                onlyProblem(with("traffic.type", "dns")).message());
        assertEquals(
                "'strict' is not a TLS mode; use one of disable, prefer, require, verify-full",
                onlyProblem(with("target.database.tls", "strict")).message());
        SpecProblem host = onlyProblem(with("cutover.stopApplication", Map.of("command", "true", "host", "worker")));
        assertEquals("cutover.stopApplication.host", host.field());
        assertTrue(host.message().endsWith("use one of local, source, target"), host.message());
    }

    @Test
    void tlsVerifyFullIsReadAsWritten() {
        assertEquals(
                TlsMode.VERIFY_FULL,
                SpecLoader.parse(with("target.database.tls", "verify-full"), "t")
                        .target()
                        .database()
                        .tls());
    }

    @Test
    void misspelledFieldSuggestsTheClosestName() {
        SpecProblem p = onlyProblem(with("target.database.dataDirectroy", "/var/lib/postgresql/15/main"));

        assertEquals("target.database.dataDirectroy", p.field());
        assertEquals("is not a field switchover knows; did you mean dataDirectory?", p.message());
    }

    @Test
    void fieldInTheWrongCaseSuggestsTheRightOne() {
        SpecProblem p = onlyProblem(with("cutover.ApprovalValidFor", "10m"));

        assertEquals("cutover.ApprovalValidFor", p.field());
        assertTrue(p.message().endsWith("did you mean approvalValidFor?"), p.message());
    }

    @Test
    void misspelledRequiredFieldIsReportedOnceAsTheTypo() {
        String yaml = SpecYaml.text(renamed(minimal(), "replication", "password", "pasword"));

        SpecProblem p = onlyProblem(yaml);

        assertEquals("replication.pasword", p.field());
        assertTrue(p.message().contains("did you mean password?"), p.message());
    }

    @Test
    void unknownFieldWithNothingCloseListsTheFieldsThere() {
        SpecProblem p = onlyProblem(with("source.flavour", "vanilla"));

        assertEquals("source.flavour", p.field());
        assertEquals("is not a field switchover knows; the fields here are address, ssh, database", p.message());
    }

    @Test
    void dottedKeyIsExplainedAsNesting() {
        SpecProblem p = onlyProblem(with("cutover", Map.of("mode.manual", true)));

        assertEquals("cutover.mode.manual", p.field());
        assertTrue(p.message().contains("write mode: on one line"), p.message());
    }

    @Test
    void unknownFieldsAreFoundAtEveryDepth() {
        String yaml = resource("minimal.yaml")
                + "colour: blue\n"
                + "traffic:\n  type: command\n  command:\n    command: 'true'\n    retries: 3\n";

        assertEquals(List.of("colour", "traffic.command.retries"), fields(rejected(yaml)));
    }

    @Test
    void mappingWhereAValueBelongs() {
        SpecProblem p = onlyProblem(with("source.address", Map.of("ip", "198.18.0.11")));

        assertEquals("source.address", p.field());
        assertTrue(p.message().startsWith("is a mapping; write a single value here"), p.message());
    }

    @Test
    void valueWhereAMappingBelongsIsOneProblem() {
        SpecProblem p = onlyProblem(with("target.ssh", "/var/lib/switchover-lab/client/id_ed25519"));

        assertEquals("target.ssh", p.field());
        assertEquals(
                "is a single value; write a mapping with user, port, privateKey, knownHosts, connectTimeout"
                        + " indented below it",
                p.message());
    }

    @Test
    void listWhereAValueBelongs() {
        SpecProblem p = onlyProblem(with("name", List.of("a", "b")));

        assertEquals("name", p.field());
        assertTrue(p.message().startsWith("is a list; write a single value"), p.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "5432.5", "true"})
    void portMustBeAWholeNumber(String port) {
        String yaml = resource("minimal.yaml")
                .replace(
                        "  database:\n    adminPassword: file:/var/lib/switchover-lab/secrets/pg-admin-password\ntarget",
                        "  database:\n    port: " + port
                                + "\n    adminPassword: file:/var/lib/switchover-lab/secrets/pg-admin-password\ntarget");

        SpecProblem p = onlyProblem(yaml);

        assertEquals("source.database.port", p.field());
        assertEquals("'" + port + "' is not a whole number; write digits only, e.g. 5432", p.message());
    }

    @Test
    void quotedNumberIsReadAsANumber() {
        assertEquals(
                2222,
                SpecLoader.parse(with("source.ssh.port", "2222"), "t")
                        .source()
                        .ssh()
                        .port());
    }

    @Test
    void integerTooLargeForTheField() {
        SpecProblem p = onlyProblem(with("benchmark.minIops", 10_000_000_000L));

        assertEquals("benchmark.minIops", p.field());
        assertTrue(p.message().contains("too large"), p.message());
    }

    @Test
    void nonNumberForADecimalField() {
        SpecProblem p = onlyProblem(with("catchUp.maxLagSeconds", "a little"));

        assertEquals("catchUp.maxLagSeconds", p.field());
        assertEquals("'a little' is not a number; write digits, e.g. 1.5", p.message());
    }

    @Test
    void nonBooleanForABooleanField() {
        SpecProblem p = onlyProblem(with("cutover.allowSourceRestart", "maybe"));

        assertEquals("cutover.allowSourceRestart", p.field());
        assertEquals("'maybe' is not true or false; write true or false", p.message());
    }

    @Test
    void badDurationUsesTheDurationMessage() {
        SpecProblem p = onlyProblem(with("cutover.syncTimeout", "a minute"));

        assertEquals("cutover.syncTimeout", p.field());
        assertEquals("'a minute' is not a duration; write it like 30s, 5m, 1h30m, 250ms or PT30S", p.message());
    }

    @Test
    void durationWithoutAUnitIsRefused() {
        SpecProblem p = onlyProblem(with("source.ssh.connectTimeout", 30));

        assertEquals("source.ssh.connectTimeout", p.field());
        assertTrue(p.message().contains("has no unit; write it with one, e.g. 30s"), p.message());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "name",
                "engine",
                "source",
                "target",
                "source.address",
                "target.address",
                "source.ssh.privateKey",
                "target.ssh.privateKey",
                "source.database.adminPassword",
                "target.database.adminPassword",
                "replication.password"
            })
    void requiredFieldIsReportedWhenMissing(String field) {
        SpecProblem p = onlyProblem(without(field));

        assertEquals(field, p.field());
        assertTrue(p.message().startsWith("is required; "), p.message());
    }

    @Test
    void nullValueCountsAsMissing() {
        SpecProblem p = onlyProblem(resource("minimal.yaml").replace("name: orders", "name:"));

        assertEquals("name", p.field());
        assertTrue(p.message().startsWith("is required; "), p.message());
    }

    @Test
    void trafficCommandNeedsItsCommand() {
        SpecProblem p = onlyProblem(with("traffic.type", "command"));

        assertEquals("traffic.command.command", p.field());
        assertTrue(p.message().contains("write the shell command"), p.message());
    }

    @Test
    void pgbouncerNeedsAddressDatabasePasswordAndSshKey() {
        String yaml = with("traffic", Map.of("type", "pgbouncer", "pgbouncer", Map.of("port", 6432)));

        assertEquals(
                List.of(
                        "traffic.pgbouncer.address",
                        "traffic.pgbouncer.adminPassword",
                        "traffic.pgbouncer.database",
                        "traffic.pgbouncer.ssh.privateKey"),
                fields(rejected(yaml)));
    }

    @Test
    void everyHookGivenNeedsACommand() {
        String yaml = resource("minimal.yaml")
                + "cutover:\n  stopApplication:\n    host: source\n  resumeApplication:\n    timeout: 1m\n";

        assertEquals(
                List.of("cutover.stopApplication.command", "cutover.resumeApplication.command"),
                fields(rejected(yaml)));
    }

    @Test
    void inlineSecretIsRefusedWithoutRepeatingIt() {
        String secret = "Tr0ub4dor&3-horse";
        for (String field : List.of(
                "source.database.adminPassword",
                "target.database.adminPassword",
                "replication.password",
                "traffic.pgbouncer.adminPassword")) {
            String yaml = field.startsWith("traffic")
                    ? with(
                            "traffic",
                            Map.of(
                                    "type",
                                    "pgbouncer",
                                    "pgbouncer",
                                    Map.of(
                                            "address",
                                            "198.18.0.10",
                                            "database",
                                            "orders",
                                            "adminPassword",
                                            secret,
                                            "ssh",
                                            Map.of("privateKey", "/root/.ssh/id_ed25519"))))
                    : with(field, secret);

            InvalidSpecException e = rejected(yaml);

            assertEquals(List.of(field), fields(e));
            assertEquals(
                    "looks like an inline secret; write env:VARIABLE or file:/path/to/secret instead (the spec"
                            + " is kept in the workflow history, so it must not hold passwords)",
                    e.problems().get(0).message());
            assertFalse(e.getMessage().contains(secret), e.getMessage());
            assertFalse(e.toString().contains(secret), e.toString());
            assertFalse(e.problems().toString().contains(secret));
        }
    }

    @Test
    void numericPasswordIsStillAnInlineSecret() {
        InvalidSpecException e = rejected(with("replication.password", 31415926));

        assertEquals(List.of("replication.password"), fields(e));
        assertFalse(e.getMessage().contains("31415926"), e.getMessage());
    }

    @Test
    void syntaxErrorDoesNotQuoteTheLineItIsOn() {
        String yaml = resource("minimal.yaml")
                .replace("password: env:SWITCHOVER_REPLICATION_PASSWORD", "password: \"hunter2-unclosed");

        InvalidSpecException e = rejected(yaml);

        assertEquals(List.of("(file)"), fields(e));
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
        assertTrue(e.getMessage().contains("check the indentation and quoting"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void fieldWrittenTwiceIsRefused() {
        String yaml = resource("minimal.yaml")
                .replace("  address: 198.18.0.12\n", "  address: 198.18.0.12\n  address: 198.18.0.13\n");

        SpecProblem p = onlyProblem(yaml);

        assertEquals("target.address", p.field());
        assertTrue(p.message().contains("keep one"), p.message());
    }

    @Test
    void secondDocumentIsRefused() {
        SpecProblem p = onlyProblem(resource("minimal.yaml") + "---\nname: other\n");

        assertEquals("(file)", p.field());
        assertTrue(p.message().contains("keep one migration per file"), p.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "# only a comment\n", "~\n"})
    void emptyDocumentIsRefused(String yaml) {
        SpecProblem p = onlyProblem(yaml);

        assertEquals("(file)", p.field());
        assertTrue(p.message().contains("holds no spec; write a mapping with name, engine"), p.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"- name: orders\n", "orders\n"})
    void topLevelMustBeAMapping(String yaml) {
        SpecProblem p = onlyProblem(yaml);

        assertEquals("(file)", p.field());
        assertTrue(p.message().contains("must be a mapping at the top level"), p.message());
    }

    @Test
    void missingFileIsReportedWithItsPath(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");

        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> SpecLoader.load(file));

        assertEquals(List.of("(file)"), fields(e));
        assertEquals(
                file + " does not exist; check the path", e.problems().get(0).message());
    }

    @Test
    void directoryIsReportedAsUnreadable(@TempDir Path dir) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> SpecLoader.load(dir));

        assertEquals(List.of("(file)"), fields(e));
        assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
    }

    @Test
    void fileIsLoadedFromDisk(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("orders.yaml"), resource("minimal.yaml"));

        assertEquals("orders", SpecLoader.load(file).name());
    }

    @Test
    void problemsFollowTheDocumentOrder() {
        String yaml = """
        name: orders
        engine: postgresql
        traffic:
          type: teleport
        source:
          address: 198.18.0.11
          ssh:
            privateKey: /k
            port: 0
          database:
            adminPassword: env:A
        target:
          address: 198.18.0.12
          ssh:
            privateKey: /k
          database:
            port: 99999
        """;

        assertEquals(
                List.of(
                        "traffic.type",
                        "source.ssh.port",
                        "target.database.port",
                        "target.database.adminPassword",
                        "replication.password"),
                fields(rejected(yaml)));
    }

    @Test
    void missingFieldsOfAnInnerMappingComeBeforeThoseOfTheTopLevel() {
        String yaml =
                resource("minimal.yaml").replace("replication:\n  password: env:SWITCHOVER_REPLICATION_PASSWORD\n", "")
                        + "traffic:\n  type: command\n  command:\n    host: source\n";

        assertEquals(List.of("traffic.command.command", "replication.password"), fields(rejected(yaml)));
    }

    @Test
    void effectiveSpecPrintsAsYamlThatLoadsToTheSameSpec() {
        for (String name : List.of("postgresql.yaml", "mysql.yaml")) {
            MigrationSpec spec = SpecLoader.load(example(name));

            String yaml = SpecLoader.toYaml(spec);

            assertFalse(yaml.startsWith("---"), yaml);
            assertTrue(yaml.contains("holdFor: 30s"), yaml);
            assertEquals(spec, SpecLoader.parse(yaml, "printed " + name));
        }
    }

    private static ObjectNode renamed(ObjectNode root, String parent, String from, String to) {
        ObjectNode p = (ObjectNode) root.get(parent);
        p.set(to, p.remove(from));
        return root;
    }
}
