package dev.switchover.workflows.fleet;

import dev.switchover.workflows.fleet.FleetSpec.WaveSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The fleet's waves and their migrations in the spec's order, and what the fleet asks of them. */
final class MemberRuns {
    final List<WaveRun> waves = new ArrayList<>();
    final List<MemberRun> members = new ArrayList<>();

    void plan(FleetSpec spec) {
        for (WaveSpec w : spec.waves()) {
            WaveRun wave = new WaveRun(w.name());
            waves.add(wave);
            for (MigrationSpec m : w.migrations()) members.add(new MemberRun(m, wave));
        }
    }

    List<MemberRun> of(WaveRun wave) {
        return members.stream().filter(m -> m.wave == wave).toList();
    }

    WaveRun wave(String name) {
        return waves.stream().filter(w -> w.name.equals(name)).findFirst().orElse(null);
    }

    String waveNames() {
        return waves.stream().map(x -> x.name).collect(Collectors.joining(", "));
    }

    List<MemberRun> notDone() {
        return members.stream().filter(m -> m.state != MemberState.DONE).toList();
    }

    /** The names of the migrations that completed. */
    List<String> moved() {
        return members.stream()
                .filter(m -> m.state == MemberState.DONE)
                .map(m -> m.spec.name())
                .toList();
    }

    long count(MemberState state) {
        return members.stream().filter(m -> m.state == state).count();
    }

    /** The names of the wave's migrations waiting at their cutover gate. */
    List<String> atGate(WaveRun wave) {
        return of(wave).stream()
                .filter(MemberRun::atGate)
                .map(m -> m.spec.name())
                .toList();
    }

    static String names(List<MemberRun> runs) {
        return runs.stream().map(m -> m.spec.name() + " " + m.stateName()).collect(Collectors.joining(", "));
    }
}
