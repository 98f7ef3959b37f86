package dev.switchover.workflows.spec;

import java.util.List;

/** A spec that cannot be run, with every problem found in it, so they can all be fixed at once. */
public class InvalidSpecException extends RuntimeException {
    private final List<SpecProblem> problems;

    public InvalidSpecException(String origin, List<SpecProblem> problems) {
        super(describe(origin, problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidSpecException(List<SpecProblem> problems) {
        this("the migration spec", problems);
    }

    /** In the order they appear in the document. */
    public List<SpecProblem> problems() {
        return problems;
    }

    private static String describe(String origin, List<SpecProblem> problems) {
        StringBuilder b = new StringBuilder();
        b.append(origin)
                .append(" is not a valid migration spec (")
                .append(problems.size())
                .append(problems.size() == 1 ? " problem):" : " problems):");
        for (SpecProblem p : problems) b.append('\n').append("  ").append(p);
        return b.toString();
    }
}
