package dev.switchover.workflows.fleet;

import dev.switchover.workflows.fleet.FleetSpec.WaveSpec;
import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecProblem;
import dev.switchover.workflows.spec.SpecValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a fleet must be beyond each migration being valid: names and targets that cannot collide,
 * a concurrency that means something, and gates that a wave approval can open. Pure, so the
 * loader and the workflow both run it.
 */
public final class FleetValidator {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Past this, the worker's SSH sessions and the source hosts' disks are the limit, not the fleet. */
    static final int MAX_CONCURRENCY = 20;

    private final List<SpecProblem> problems = new ArrayList<>();

    private FleetValidator() {}

    /** Every problem found; a migration's own problems are prefixed by where it sits in the fleet. */
    public static List<SpecProblem> validate(FleetSpec fleet) {
        FleetValidator v = new FleetValidator();
        if (fleet == null) {
            v.add("(fleet)", "is missing; give a fleet spec with fleet, concurrency and waves");
        } else {
            v.fleet(fleet);
        }
        return List.copyOf(v.problems);
    }

    private void fleet(FleetSpec fleet) {
        if (fleet.name() == null || fleet.name().isBlank()) {
            add(
                    "fleet",
                    "is required; give the fleet a short name such as warehouse-2026 (its workflow id is"
                            + " switchover-fleet-NAME)");
        } else if (!NAME.matcher(fleet.name()).matches()) {
            add(
                    "fleet",
                    "'" + fleet.name() + "' cannot become a workflow id; use lower-case letters, digits and -,"
                            + " at most 63 characters, starting with a letter or digit");
        }
        if (fleet.concurrency() != null && (fleet.concurrency() < 1 || fleet.concurrency() > MAX_CONCURRENCY)) {
            add(
                    "concurrency",
                    "is " + fleet.concurrency() + "; give how many migrations may run at once, 1 to "
                            + MAX_CONCURRENCY);
        }
        if (fleet.waves() == null || fleet.waves().isEmpty()) {
            add("waves", "is required; list the waves, each with its migrations' spec files");
            return;
        }
        Set<String> waveNames = new HashSet<>();
        Map<String, String> names = new HashMap<>();
        Map<String, String> targets = new HashMap<>();
        Map<String, String> sources = new HashMap<>();
        for (int w = 0; w < fleet.waves().size(); w++) {
            WaveSpec wave = fleet.waves().get(w);
            String at = "waves[" + w + "]";
            if (wave == null || wave.migrations() == null || wave.migrations().isEmpty()) {
                add(at + ".migrations", "is empty; list at least one migration spec file, or remove the wave");
                continue;
            }
            if (wave.name() != null && !waveNames.add(wave.name())) {
                add(at + ".name", "'" + wave.name() + "' names two waves; give each wave its own name");
            }
            for (int m = 0; m < wave.migrations().size(); m++) {
                migration(
                        fleet, at + ".migrations[" + m + "]", wave.migrations().get(m), names, targets, sources);
            }
        }
        for (Map.Entry<String, String> t : targets.entrySet()) {
            if (sources.containsKey(t.getKey())) {
                add(
                        t.getValue() + ".target.address",
                        t.getKey() + " is also the source of " + sources.get(t.getKey())
                                + "; a host cannot receive one database while another moves off it. Put them in separate fleets,"
                                + " one after the other");
            }
        }
    }

    private void migration(
            FleetSpec fleet,
            String at,
            MigrationSpec spec,
            Map<String, String> names,
            Map<String, String> targets,
            Map<String, String> sources) {
        List<SpecProblem> own = SpecValidator.validate(spec);
        for (SpecProblem p : own) add(at + "." + p.field(), p.message());
        if (spec == null || !own.isEmpty()) return;
        String earlier = names.putIfAbsent(spec.name(), at);
        if (earlier != null) {
            add(
                    at + ".name",
                    "'" + spec.name() + "' is also the name of " + earlier + "; each migration needs its own"
                            + " name (it is the workflow id)");
        }
        String sameTarget = targets.putIfAbsent(spec.target().address(), at);
        if (sameTarget != null) {
            add(
                    at + ".target.address",
                    spec.target().address() + " is also the target of " + sameTarget + "; two base"
                            + " copies into one host would overwrite each other. Give each migration its own target");
        }
        sources.putIfAbsent(spec.source().address(), at);
        CutoverMode mode = spec.cutover() == null || spec.cutover().mode() == null
                ? CutoverMode.MANUAL
                : spec.cutover().mode();
        if (fleet.approval() == FleetApproval.WAVE && mode != CutoverMode.MANUAL) {
            add(
                    at + ".cutover.mode",
                    "is automatic, but the fleet's approval is wave: the wave's approval would never"
                            + " be asked for. Use cutover.mode: manual, or approval: database");
        }
    }

    private void add(String field, String message) {
        problems.add(new SpecProblem(field, message));
    }
}
