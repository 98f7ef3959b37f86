package dev.switchover.workflows.spec;

import static dev.switchover.workflows.spec.SpecYaml.minimal;
import static dev.switchover.workflows.spec.SpecYaml.onlyProblem;
import static dev.switchover.workflows.spec.SpecYaml.set;
import static dev.switchover.workflows.spec.SpecYaml.text;
import static dev.switchover.workflows.spec.SpecYaml.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** replication.method: PostgreSQL's physical, logical or auto; MySQL and MariaDB choose by copyMethod. */
class ReplicationMethodTest {

    private static MigrationSpec load(String yaml) {
        return SpecLoader.parse(yaml, "test.yaml");
    }

    @Test
    void postgresqlReplicatesPhysicallyUnlessTheSpecSaysOtherwise() {
        MigrationSpec spec = load(text(minimal()));

        assertEquals(ReplicationSpec.PHYSICAL, spec.replication().method());
        assertEquals(ReplicationSpec.PHYSICAL, spec.engine().method(spec.replication()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"physical", "logical", "auto"})
    void postgresqlTakesEachMethodAsWritten(String method) {
        MigrationSpec spec = load(with("replication.method", method));

        assertEquals(method, spec.replication().method());
        assertEquals(method, spec.engine().method(spec.replication()));
    }

    @Test
    void anUnknownMethodIsRefusedNamingTheThree() {
        SpecProblem p = onlyProblem(with("replication.method", "streaming"));

        assertEquals("replication.method", p.field());
        assertTrue(p.message().startsWith("'streaming' is not a way PostgreSQL replicates;"), p.message());
        assertTrue(
                p.message()
                        .contains("use physical (the default: same major version), logical (to a newer major"
                                + " version) or auto"),
                p.message());
    }

    @Test
    void methodIsCaseSensitiveLikeCopyMethod() {
        assertEquals(
                "replication.method",
                onlyProblem(with("replication.method", "Logical")).field());
    }

    @Test
    void mysqlIsPointedAtCopyMethod() {
        ObjectNode root = minimal();
        set(root, "engine", "mysql");
        set(root, "replication.method", "logical");

        SpecProblem p = onlyProblem(text(root));

        assertEquals("replication.method", p.field());
        assertEquals(
                "is PostgreSQL's choice between physical and logical replication; mysql replicates by GTID from the"
                        + " copy replication.copyMethod makes (dump or clone), so remove it",
                p.message());
    }

    @Test
    void mariadbIsPointedAtItsOneCopyMethod() {
        ObjectNode root = minimal();
        set(root, "engine", "mariadb");
        set(root, "replication.method", "physical");

        SpecProblem p = onlyProblem(text(root));

        assertEquals("replication.method", p.field());
        assertTrue(p.message().contains("copy replication.copyMethod makes (dump), so remove it"), p.message());
    }

    @Test
    void mysqlKeysItsEngineByCopyMethodAndNamesNoMethod() {
        ObjectNode root = minimal();
        set(root, "engine", "mysql");
        MigrationSpec dump = load(text(root));
        set(root, "replication.copyMethod", "clone");
        MigrationSpec clone = load(text(root));

        assertNull(dump.replication().method(), "a completed MySQL spec must pass validation again");
        assertEquals(ReplicationSpec.DUMP, dump.engine().method(dump.replication()));
        assertEquals(ReplicationSpec.CLONE, clone.engine().method(clone.replication()));
        assertEquals(List.of(), SpecValidator.validate(dump));
    }

    @Test
    void aSpecWithoutAnEngineHasItsMethodReadAsPostgresqls() {
        MigrationSpec spec = new MigrationSpec(
                "orders",
                null,
                null,
                null,
                new ReplicationSpec(null, "env:REPL", null, null, "fast"),
                null,
                null,
                null,
                null,
                null,
                null);

        assertTrue(
                SpecValidator.validate(spec).stream()
                        .anyMatch(p -> p.field().equals("replication.method")
                                && p.message().contains("use physical")),
                SpecValidator.validate(spec).toString());
    }

    @Test
    void withMethodChangesOnlyTheMethod() {
        MigrationSpec spec = load(with("replication.method", "auto"));

        MigrationSpec resolved = spec.withMethod(ReplicationSpec.LOGICAL);

        assertEquals(ReplicationSpec.LOGICAL, resolved.replication().method());
        assertEquals(spec.replication().withMethod(ReplicationSpec.LOGICAL), resolved.replication());
        assertEquals(
                spec, resolved.withMethod(ReplicationSpec.AUTO), "everything else is the spec's, notifications too");
        assertEquals(List.of(), SpecValidator.validate(resolved));
    }

    /** replication.databases: the databases a logical migration moves, for that method only. */
    @Test
    void aLogicalMigrationMayChooseItsDatabasesAndOnlyIt() {
        ObjectNode root = minimal();
        set(root, "replication.method", "logical");
        set(root, "replication.databases", List.of("shop", "crm"));
        assertEquals(List.of("shop", "crm"), load(text(root)).replication().databases());
        assertNull(load(text(minimal())).replication().databases(), "without it, every database moves");

        SpecProblem physical = onlyProblem(with("replication.databases", List.of("shop")));
        assertEquals("replication.databases", physical.field());
        assertTrue(physical.message().contains("physical replication copies the whole cluster"), physical.message());
        assertTrue(physical.message().contains("set replication.method: logical, or remove it"), physical.message());

        set(root, "replication.databases", List.of("shop", "shop"));
        assertEquals(
                "names a database twice; list each once",
                onlyProblem(text(root)).message());
        set(root, "replication.databases", List.of());
        assertTrue(onlyProblem(text(root)).message().startsWith("is empty"));

        ObjectNode mysql = minimal();
        set(mysql, "engine", "mysql");
        set(mysql, "replication.databases", List.of("shop"));
        SpecProblem refused = SpecYaml.rejected(text(mysql)).problems().stream()
                .filter(p -> p.field().equals("replication.databases"))
                .findFirst()
                .orElseThrow();
        assertTrue(refused.message().startsWith("is PostgreSQL's logical method's"), refused.message());
    }
}
