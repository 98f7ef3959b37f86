package dev.switchover.activities.secrets;

import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the spec's secret references ({@code env:NAME}, {@code file:/path}) into {@link Secret}s,
 * on the worker, at the moment an activity needs them. Every failure is a non-retryable {@link
 * Failures#SECRET_UNAVAILABLE} that names the spec field and the reference, and never the value.
 */
public final class SecretResolver {
    private static final Logger log = LoggerFactory.getLogger(SecretResolver.class);

    private final Map<String, String> environment;

    /** Resolves {@code env:} references against the worker's own environment. */
    public SecretResolver() {
        this(System.getenv());
    }

    /** Resolves {@code env:} references against {@code environment}; tests pass their own map. */
    public SecretResolver(Map<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * Resolves {@code reference}, which the spec field {@code field} (e.g. {@code
     * source.database.adminPassword}) holds.
     */
    public Secret resolve(String field, String reference) {
        if (reference == null || reference.isBlank()) {
            throw Failures.fatal(
                    Failures.SECRET_UNAVAILABLE,
                    field + " has no secret reference; write env:VARIABLE or file:/path/to/secret");
        }
        SecretRef ref;
        try {
            ref = SecretRef.parse(reference);
        } catch (IllegalArgumentException e) {
            // SecretRef's messages never repeat the text, which may be an inline password.
            throw Failures.fatal(Failures.SECRET_UNAVAILABLE, field + " " + e.getMessage());
        }
        return resolve(field, ref);
    }

    /** Resolves an already parsed reference held by the spec field {@code field}. */
    public Secret resolve(String field, SecretRef ref) {
        return ref.kind() == SecretRef.Kind.ENV ? fromEnvironment(field, ref) : fromFile(field, ref);
    }

    private Secret fromEnvironment(String field, SecretRef ref) {
        String value = environment.get(ref.name());
        if (value == null) {
            throw unavailable(
                    field, ref, "which is not set in the worker's environment; export it before starting the worker");
        }
        if (value.isEmpty()) {
            throw unavailable(
                    field,
                    ref,
                    "which is set but empty in the worker's environment; export the secret's value before"
                            + " starting the worker");
        }
        return Secret.of(value);
    }

    private Secret fromFile(String field, SecretRef ref) {
        Path path = Path.of(ref.name());
        if (Files.isDirectory(path)) {
            throw unavailable(field, ref, "which is a directory; point it at the file holding the secret");
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw unavailable(field, ref, "which does not exist on the worker; create it or fix the path");
        } catch (AccessDeniedException e) {
            throw unavailable(
                    field,
                    ref,
                    "which the worker (running as "
                            + System.getProperty("user.name")
                            + ") may not read; give the worker's user read access");
        } catch (IOException e) {
            // The exception's own message may quote what it read; keep only its type.
            throw unavailable(
                    field, ref, "which the worker cannot read (" + e.getClass().getSimpleName() + ")");
        }
        warnIfWorldReadable(field, ref, path);
        String value = stripTrailingNewlines(text);
        if (value.isEmpty()) {
            throw unavailable(field, ref, "which is empty; write the secret into it");
        }
        return Secret.of(value);
    }

    /** Files written by editors or {@code echo} end with a newline that is not part of the secret. */
    static String stripTrailingNewlines(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) end--;
        return text.substring(0, end);
    }

    private static void warnIfWorldReadable(String field, SecretRef ref, Path path) {
        try {
            if (Files.getPosixFilePermissions(path).contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("{} refers to {}, which every user on the worker may read; chmod o-r it", field, ref);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Only a warning depends on this; the secret itself was readable.
        }
    }

    private static RuntimeException unavailable(String field, SecretRef ref, String why) {
        return Failures.fatal(Failures.SECRET_UNAVAILABLE, field + " refers to " + ref + ", " + why);
    }
}
