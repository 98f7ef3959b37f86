package dev.switchover.workflows.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.switchover.workflows.fleet.FleetSpec.WaveSpec;
import dev.switchover.workflows.spec.InvalidSpecException;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.spec.SpecProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a fleet file: its settings and, per wave, the migration spec files it lists (relative to
 * the fleet file). Every problem, the fleet's and every spec's, is reported at once, each under
 * the place in the fleet file that names it:
 *
 * <pre>
 * fleet: warehouse
 * concurrency: 2
 * approval: wave            # or database (default)
 * onFailure: stop-wave      # or continue-wave
 * waves:
 *   - name: canary
 *     migrations: [inventory.yaml]
 *   - name: rest
 *     migrations: [orders.yaml, billing.yaml]
 * </pre>
 */
public final class FleetLoader {
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();
    private static final Set<String> FLEET_KEYS = Set.of("fleet", "concurrency", "approval", "onFailure", "waves");
    private static final Set<String> WAVE_KEYS = Set.of("name", "migrations");

    private final List<SpecProblem> problems = new ArrayList<>();
    private final Path dir;

    private FleetLoader(Path dir) {
        this.dir = dir;
    }

    /** The fleet with every migration loaded, validated and completed; throws InvalidSpecException. */
    public static FleetSpec load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidSpecException(
                    file.toString(),
                    List.of(new SpecProblem(
                            "(file)",
                            "cannot be read (" + e.getClass().getSimpleName()
                                    + "); check the path and its permissions")));
        }
        Path dir = file.toAbsolutePath().getParent();
        return new FleetLoader(dir).parse(text, file.toString());
    }

    private FleetSpec parse(String text, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException(
                    origin, List.of(new SpecProblem("(file)", "is not valid YAML: " + e.getOriginalMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidSpecException(
                    origin,
                    List.of(new SpecProblem(
                            "(file)",
                            "must be a mapping with fleet, concurrency and waves (see examples/fleet.yaml)")));
        }
        unknownKeys(root, "", FLEET_KEYS);
        String name = text(root, "fleet");
        Integer concurrency = null;
        if (root.has("concurrency")) {
            if (root.get("concurrency").canConvertToInt()
                    && root.get("concurrency").isIntegralNumber()) {
                concurrency = root.get("concurrency").intValue();
            } else {
                add("concurrency", "must be a whole number: how many migrations may run at once");
            }
        }
        FleetApproval approval = null;
        if (root.hasNonNull("approval")) {
            try {
                approval = FleetApproval.of(root.get("approval").asText());
            } catch (IllegalArgumentException e) {
                add(
                        "approval",
                        "is '" + root.get("approval").asText() + "'; write database (each migration approved on"
                                + " its own) or wave (one approval per wave)");
            }
        }
        FailurePolicy onFailure = null;
        if (root.hasNonNull("onFailure")) {
            try {
                onFailure = FailurePolicy.of(root.get("onFailure").asText());
            } catch (IllegalArgumentException e) {
                add(
                        "onFailure",
                        "is '" + root.get("onFailure").asText() + "'; write stop-wave (the default: a failure"
                                + " starts nothing more) or continue-wave");
            }
        }
        List<WaveSpec> waves = new ArrayList<>();
        JsonNode wavesNode = root.get("waves");
        if (wavesNode != null && !wavesNode.isArray()) {
            add("waves", "must be a list of waves, each with name and migrations");
        } else if (wavesNode != null) {
            for (int w = 0; w < wavesNode.size(); w++) waves.add(wave(wavesNode.get(w), "waves[" + w + "]"));
        }
        FleetSpec fleet = new FleetSpec(name, concurrency, approval, onFailure, waves);
        // The fleet's own checks, except where the file already said what is wrong (a wave whose
        // every spec failed to load is not "empty").
        List<SpecProblem> found = List.copyOf(problems);
        for (SpecProblem p : FleetValidator.validate(fleet)) {
            if (found.stream().noneMatch(f -> f.field().startsWith(p.field()))) add(p.field(), p.message());
        }
        if (!problems.isEmpty()) throw new InvalidSpecException(origin, problems);
        return fleet.withDefaults();
    }

    private WaveSpec wave(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            add(at, "must be a mapping: name: ..., migrations: [spec files]");
            return new WaveSpec(null, List.of());
        }
        unknownKeys(node, at + ".", WAVE_KEYS);
        List<MigrationSpec> migrations = new ArrayList<>();
        JsonNode list = node.get("migrations");
        if (list == null || !list.isArray() || list.isEmpty()) {
            add(at + ".migrations", "must list the wave's migration spec files, e.g. [orders.yaml, billing.yaml]");
            return new WaveSpec(text(node, at + ".name", "name"), migrations);
        }
        for (int m = 0; m < list.size(); m++) {
            String where = at + ".migrations[" + m + "]";
            JsonNode entry = list.get(m);
            if (!entry.isTextual() || entry.asText().isBlank()) {
                add(where, "must be the path of a migration spec file (relative to the fleet file)");
                continue;
            }
            Path file = dir.resolve(entry.asText());
            try {
                migrations.add(SpecLoader.load(file));
            } catch (InvalidSpecException e) {
                for (SpecProblem p : e.problems()) add(where + " (" + entry.asText() + ")", p.toString());
            }
        }
        return new WaveSpec(text(node, at + ".name", "name"), migrations);
    }

    private void unknownKeys(JsonNode node, String prefix, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                add(
                        prefix + key,
                        "is not a fleet setting; the settings are "
                                + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private String text(JsonNode node, String key) {
        return text(node, key, key);
    }

    private String text(JsonNode node, String field, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) {
            add(field, "must be a single value");
            return null;
        }
        return v.asText();
    }

    private void add(String field, String message) {
        problems.add(new SpecProblem(field, message));
    }
}
