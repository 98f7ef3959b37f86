package dev.switchover.starter;

import dev.switchover.workflows.spec.InvalidSpecException;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.spec.SpecProblem;
import java.nio.file.Path;

/** Reads the operator's spec, or ends the verb with exit 2 and every problem in it. */
final class SpecFiles {
    private SpecFiles() {}

    /** The validated spec with its defaults filled in. Touches nothing but the file. */
    static MigrationSpec load(Path file) {
        try {
            return SpecLoader.load(file);
        } catch (InvalidSpecException e) {
            throw invalid(file, e);
        }
    }

    /** Exit 2 with every problem in {@code file}, one per line. */
    static CliFailure invalid(Path file, InvalidSpecException e) {
        StringBuilder message = new StringBuilder(file + " is not valid:");
        for (SpecProblem p : e.problems()) message.append("\n  ").append(p);
        return CliFailure.badInput(message.toString());
    }
}
