package dev.switchover.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.Failures;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {
    static final String VALUE = "s3cr3t-value-xyz";
    static final String FIELD = "source.database.adminPassword";

    @TempDir
    Path dir;

    private static ApplicationFailure unavailable(SecretResolver r, String reference) {
        ApplicationFailure f = assertThrows(ApplicationFailure.class, () -> r.resolve(FIELD, reference));
        assertEquals(Failures.SECRET_UNAVAILABLE, f.getType());
        assertTrue(f.isNonRetryable());
        assertFalse(f.getMessage().contains(VALUE), f.getMessage());
        return f;
    }

    @Test
    void envReferenceResolvesFromTheInjectedEnvironment() {
        Secret s = new SecretResolver(Map.of("PGPASS", VALUE)).resolve(FIELD, "env:PGPASS");
        assertEquals(VALUE, s.reveal());
    }

    @Test
    void missingVariableNamesTheFieldTheVariableAndTheFix() {
        ApplicationFailure f = unavailable(new SecretResolver(Map.of("OTHER", VALUE)), "env:PGPASS");
        assertEquals(
                FIELD
                        + " refers to env:PGPASS, which is not set in the worker's environment; export it"
                        + " before starting the worker",
                f.getOriginalMessage());
    }

    @Test
    void emptyVariableIsUnavailable() {
        unavailable(new SecretResolver(Map.of("PGPASS", "")), "env:PGPASS");
    }

    @Test
    void fileReferenceResolvesWithoutTheTrailingNewline() throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, VALUE + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(
                VALUE,
                new SecretResolver(Map.of()).resolve(FIELD, "file:" + file).reveal());
    }

    @Test
    void worldReadableFileStillResolves() throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, VALUE + "\r\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(
                VALUE,
                new SecretResolver(Map.of()).resolve(FIELD, "file:" + file).reveal());
    }

    @Test
    void missingFileNamesTheFieldAndThePath() {
        Path file = dir.resolve("absent");
        ApplicationFailure f = unavailable(new SecretResolver(Map.of()), "file:" + file);
        assertTrue(f.getOriginalMessage().startsWith(FIELD + " refers to file:" + file + ", which does not exist"));
    }

    @Test
    void directoryIsUnavailable() {
        unavailable(new SecretResolver(Map.of()), "file:" + dir);
    }

    @Test
    void inlineSecretIsRefusedWithoutRepeatingIt() {
        ApplicationFailure f = unavailable(new SecretResolver(Map.of()), VALUE);
        assertTrue(f.getOriginalMessage().startsWith(FIELD + " looks like an inline secret"));
    }

    @Test
    void missingReferenceIsUnavailable() {
        unavailable(new SecretResolver(Map.of()), null);
    }

    @Test
    void secretPrintsAsStars() {
        Secret s = new SecretResolver(Map.of("PGPASS", VALUE)).resolve(FIELD, "env:PGPASS");
        assertEquals("***", s.toString());
        assertEquals("[***]", java.util.List.of(s).toString());
    }
}
