package dev.switchover.workflows.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretRefTest {

    @Test
    void envReferenceNamesTheVariable() {
        SecretRef ref = SecretRef.parse("env:SWITCHOVER_REPLICATION_PASSWORD");

        assertEquals(SecretRef.Kind.ENV, ref.kind());
        assertEquals("SWITCHOVER_REPLICATION_PASSWORD", ref.name());
        assertEquals("env:SWITCHOVER_REPLICATION_PASSWORD", ref.toString());
    }

    @Test
    void fileReferenceNamesTheAbsolutePath() {
        SecretRef ref = SecretRef.parse("file:/var/lib/switchover-lab/secrets/pg-admin-password");

        assertEquals(SecretRef.Kind.FILE, ref.kind());
        assertEquals("/var/lib/switchover-lab/secrets/pg-admin-password", ref.name());
        assertEquals("file:/var/lib/switchover-lab/secrets/pg-admin-password", ref.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"env:A", "env:_x1", "file:/s", "file:/etc/switchover/pw"})
    void wellFormedReferencesAreReferences(String text) {
        assertTrue(SecretRef.isReference(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "hunter2",
                "env:",
                "env:1ABC",
                "env:MY-VAR",
                "file:",
                "file:relative/pw",
                "file:~/pw",
                "ENV:A",
                "file:/"
            })
    void anythingElseIsNot(String text) {
        assertFalse(SecretRef.isReference(text));
    }

    @Test
    void nullIsNotAReference() {
        assertFalse(SecretRef.isReference(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"correct-horse-battery-staple", "env:p@ss word", "file:my-p@ssw0rd", "Env:Sup3rS3cret"})
    void refusalNeverRepeatsTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretRef.parse(text));

        String secretPart = text.substring(text.indexOf(':') + 1);
        assertFalse(e.getMessage().contains(secretPart), e.getMessage());
        assertTrue(e.getMessage().contains("env:") || e.getMessage().contains("file:"), e.getMessage());
    }

    @Test
    void relativeFileReferenceAsksForAnAbsolutePath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretRef.parse("file:pw.txt"));

        assertTrue(e.getMessage().contains("absolute path"), e.getMessage());
    }

    @Test
    void constructorRefusesMalformedNames() {
        assertThrows(IllegalArgumentException.class, () -> new SecretRef(SecretRef.Kind.ENV, "NOT A NAME"));
        assertThrows(IllegalArgumentException.class, () -> new SecretRef(SecretRef.Kind.FILE, "relative"));
    }
}
