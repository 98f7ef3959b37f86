package dev.switchover.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.spec.TlsMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LabSpecTest {
    @TempDir
    Path dir;

    @Test
    void specHeadIsAValidSpecNamingBothHostsAndAPasswordReference() throws Exception {
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        MigrationSpec spec = SpecLoader.parse(
                LabSpec.specHead("lab-test", LabHost.SRC.address(), LabHost.DST.address(), secret) + LabSpec.TEST_PACE
                        + "report: {directory: " + dir + "}\n",
                "lab spec");
        assertEquals(LabHost.SRC.address(), spec.source().address());
        assertEquals(LabHost.DST.address(), spec.target().address());
        assertEquals(LabSpec.KEY, spec.target().ssh().privateKey());
        assertEquals("/var/lib/postgresql/15/main", spec.source().database().dataDirectory());
        assertEquals("file:" + secret, spec.replication().password().toString());
        assertEquals(100, spec.benchmark().minIops());
    }

    @Test
    void postgresHostSpecIsTheOneTheLabAlwaysWrote() {
        assertEquals(
                """
          address: %s
          ssh:
            privateKey: %s
            knownHosts: %s
          database:
            adminPassword: file:%s
            dataDirectory: /var/lib/postgresql/15/main
            serviceStart: pg_ctlcluster 15 main start
            serviceStop: pg_ctlcluster 15 main stop
        """.formatted(LabHost.SRC.address(), LabSpec.KEY, LabSpec.KNOWN_HOSTS, LabSpec.ADMIN_PASSWORD_FILE),
                LabSpec.hostSpec(LabHost.SRC.address()));
        assertEquals(
                LabSpec.hostSpec(LabHost.SRC.address()), LabSpec.hostSpec(LabHost.SRC.address(), LabFlavor.POSTGRES15));
    }

    @ParameterizedTest
    @EnumSource(
            value = LabFlavor.class,
            names = {"POSTGRES15", "POSTGRES17", "POSTGRES18"})
    void eachPostgresFlavorNamesItsVersionsClusterAtDebiansPaths(LabFlavor flavor) {
        String major = flavor.id().substring("postgres".length());
        assertEquals("""
          database:
            adminPassword: file:%s
            dataDirectory: /var/lib/postgresql/%s/main
            serviceStart: pg_ctlcluster %s main start
            serviceStop: pg_ctlcluster %s main stop
        """.formatted(LabSpec.ADMIN_PASSWORD_FILE, major, major, major), flavor.databaseSpec());
        assertEquals(Engine.POSTGRESQL, flavor.engine());
        assertEquals("PostgreSQL " + major, flavor.product());
    }

    @Test
    void aSpecBetweenHostsOfTwoVersionsGivesEachHostItsOwnCluster() throws Exception {
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        MigrationSpec spec = SpecLoader.parse(
                LabSpec.specHead("lab-test", LabHost.E2ESRC, LabHost.E2E18T, secret) + LabSpec.TEST_PACE
                        + "report: {directory: " + dir + "}\n",
                "lab spec");
        assertEquals(Engine.POSTGRESQL, spec.engine());
        assertEquals(LabHost.E2E18T.address(), spec.target().address());
        assertEquals("/var/lib/postgresql/15/main", spec.source().database().dataDirectory());
        assertEquals("/var/lib/postgresql/18/main", spec.target().database().dataDirectory());
        assertEquals("pg_ctlcluster 18 main start", spec.target().database().serviceStart());
        assertEquals("pg_ctlcluster 18 main stop", spec.target().database().serviceStop());
    }

    @Test
    void aSpecBetweenTwoPostgres18HostsIsValid() throws Exception {
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        MigrationSpec spec = SpecLoader.parse(
                LabSpec.specHead("lab-test", LabHost.E2E18S, LabHost.E2E18T, secret) + LabSpec.TEST_PACE
                        + "report: {directory: " + dir + "}\n",
                "lab spec");
        for (var host : List.of(spec.source(), spec.target())) {
            assertEquals("/var/lib/postgresql/18/main", host.database().dataDirectory());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = LabFlavor.class,
            names = {"MYSQL", "MARIADB"})
    void mysqlSpecHeadNamesTheLabsAdminItsServiceAndRequiresTls(LabFlavor flavor) throws Exception {
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        String head = LabSpec.specHead("lab-test", flavor, LabHost.MYE2ES.address(), LabHost.MYE2ET.address(), secret);
        MigrationSpec spec =
                SpecLoader.parse(head + LabSpec.TEST_PACE + "report: {directory: " + dir + "}\n", "lab spec");
        assertEquals(flavor.engine(), spec.engine());
        for (var host : List.of(spec.source(), spec.target())) {
            var db = host.database();
            assertEquals(3306, db.port());
            assertEquals("admin", db.adminUser());
            assertEquals("file:" + LabSpec.ADMIN_PASSWORD_FILE, db.adminPassword());
            assertEquals("mysql", db.osUser());
            assertEquals("/var/lib/mysql", db.dataDirectory());
            assertEquals("lab-mysqld start", db.serviceStart());
            assertEquals("lab-mysqld stop", db.serviceStop());
            assertEquals(TlsMode.REQUIRE, db.tls());
        }
        assertEquals(LabHost.MYE2ET.address(), spec.target().address());
        assertFalse(head.contains("slot"), "a replication slot is PostgreSQL's");
    }

    @Test
    void eachEngineHasALabFlavorThatLabShKnows() {
        for (Engine e : Engine.values()) assertEquals(e, LabFlavor.of(e).engine());
        // A host made without a flavor is lab.sh's default, PostgreSQL 15: the engine's default too.
        assertEquals(LabFlavor.POSTGRES15, LabFlavor.of(Engine.POSTGRESQL));
        // What lab.sh up receives, pinned here and nowhere else: the registry's addresses are these.
        assertEquals("src:198.18.0.11:postgres15", LabHost.SRC.upArgument());
        assertEquals("mye2es:198.18.0.113:mysql", LabHost.MYE2ES.upArgument());
        assertEquals("mde2es:198.18.0.123:mariadb", LabHost.MDE2ES.upArgument());
        assertEquals("e2e17s:198.18.0.27:postgres17", LabHost.E2E17S.upArgument());
        assertEquals("e2e18t:198.18.0.30:postgres18", LabHost.E2E18T.upArgument());
    }

    @Test
    void replicationSecretIsPrivateRandomAndKept() throws Exception {
        Path file = LabSpec.replicationSecret(dir.resolve("a"));
        String first = Files.readString(file);
        assertEquals(32, first.strip().length(), "MySQL refuses a replication password over 32 characters");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(first, Files.readString(LabSpec.replicationSecret(file)), "an existing secret is kept");
        assertNotEquals(first, Files.readString(LabSpec.replicationSecret(dir.resolve("b"))));
    }
}
