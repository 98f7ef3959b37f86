package dev.switchover.workflows.spec;

import java.io.Serializable;

/**
 * One thing wrong with a migration spec. {@code field} is the dotted path as written in the YAML
 * ({@code source.database.port}, or {@code (file)} when the file itself cannot be read);
 * {@code message} says what is wrong and how to fix it, and never repeats a secret.
 */
public record SpecProblem(String field, String message) implements Serializable {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
