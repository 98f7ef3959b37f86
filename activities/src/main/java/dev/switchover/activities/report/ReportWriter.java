package dev.switchover.activities.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.MigrationReport;
import dev.switchover.workflows.activities.ReportLocation;
import dev.switchover.workflows.spec.DurationText;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The migration's report, written on the worker's machine as JSON (for automation) and Markdown
 * (for the change ticket). Rewriting it is harmless, so a retried activity just writes it again.
 */
public final class ReportWriter {
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public ReportLocation write(MigrationSpec spec, MigrationReport report) {
        Path dir = Path.of(spec.report().directory()).toAbsolutePath();
        Path jsonFile = dir.resolve(spec.name() + ".json");
        Path mdFile = dir.resolve(spec.name() + ".md");
        try {
            Files.createDirectories(dir);
            replace(jsonFile, json.writeValueAsString(report));
            replace(mdFile, markdown(spec, report));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir + ": " + e.getMessage(), e);
        }
        return new ReportLocation(jsonFile.toString(), mdFile.toString());
    }

    private static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String markdown(MigrationSpec spec, MigrationReport r) {
        MigrationStatus s = r.status();
        StringBuilder md = new StringBuilder();
        md.append("# Migration ").append(spec.name()).append("\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| Engine | ").append(spec.engine().id()).append(" |\n");
        md.append("| Source | ").append(spec.source().address()).append(" |\n");
        md.append("| Target | ").append(spec.target().address()).append(" |\n");
        md.append("| Outcome | **").append(s.phase()).append("** |\n");
        if (s.failure() != null)
            md.append("| Reason | ").append(cell(s.failure())).append(" |\n");
        if (r.frozen() != null)
            md.append("| Source's final position | ")
                    .append(r.frozen().finalPosition())
                    .append(" |\n");
        if (r.sync() != null)
            md.append("| Target reached | ").append(r.sync().targetPosition()).append(" |\n");
        if (r.backup() != null)
            md.append("| Fresh backup | ").append(cell(r.backup().location())).append(" |\n");
        md.append("\n## Steps\n\n| Phase | Started | Took | Outcome | Detail |\n|---|---|---|---|---|\n");
        for (StepRecord step : s.steps()) {
            String took =
                    step.ended() == null ? "" : DurationText.format(Duration.between(step.started(), step.ended()));
            md.append("| ")
                    .append(step.phase())
                    .append(" | ")
                    .append(step.started())
                    .append(" | ")
                    .append(took)
                    .append(" | ")
                    .append(step.outcome())
                    .append(" | ")
                    .append(cell(step.detail()))
                    .append(" |\n");
        }
        if (r.preflight() != null) checks(md, "Preflight", r.preflight().checks());
        if (r.checklist() != null) checks(md, "Final checklist", r.checklist().checks());
        if (!s.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            s.notes().forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static void checks(StringBuilder md, String title, java.util.List<Check> checks) {
        md.append("\n## ").append(title).append("\n\n| Check | Verdict | Detail |\n|---|---|---|\n");
        for (Check c : checks) {
            md.append("| ")
                    .append(c.name())
                    .append(" | ")
                    .append(c.verdict())
                    .append(" | ")
                    .append(cell(c.detail()))
                    .append(" |\n");
        }
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
