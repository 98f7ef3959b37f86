package dev.switchover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchover.testkit.LabSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * switchover's base copy against the same copy by hand ({@code pg_basebackup}), against
 * {@code pg_dump | pg_restore} and against switchover's own logical method, on the same hosts and
 * data, with and without a bandwidth limit on the target's link. Target (reported, not asserted):
 * hand time over ours at least 0.95.
 */
final class BaseCopyBench implements Benchmark {
    /**
     * Runs of each variant on the unlimited link, where the 5% target is judged and a run takes
     * seconds, so a run's noise would otherwise decide it; the median is reported.
     */
    static final int RUNS = 4;
    /** Runs on the limited link, where a run takes a minute and a half and varies little. */
    static final int LIMITED_RUNS = 2;
    /** 25 MB/s: a 2 GB copy still ends within about 90 s, and the link, not the disk, is the limit. */
    static final String LIMIT = "200mbit";

    static final String NO_LIMIT = "none";
    /** switchover's logical method's copy, in latest.json's variants. */
    static final String LOGICAL = "switchover logical";

    static final double TARGET_RATIO = 0.95;

    @Override
    public void run(BenchContext ctx, ObjectNode section) throws Exception {
        section.put("loadAverageBefore", LoadAverage.now());
        ToolLog.quietRemoteCommands();
        BenchLab lab = new BenchLab().up();
        lab.rate("off");
        CopySource.Made source = new CopySource(lab, ctx.say()).ensure(ctx.copyGb());
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        Map<String, List<Double>> details = new LinkedHashMap<>();
        Map<String, String> detailNames = new LinkedHashMap<>();
        long copied;
        try (SwitchoverCopy ours = new SwitchoverCopy(lab, ctx.work().resolve("base-copy"));
                LogicalSwitchoverCopy logical =
                        new LogicalSwitchoverCopy(lab, ctx.work().resolve("base-copy-logical"))) {
            letTargetLogIn(lab, ours);
            HandBasebackup hand = new HandBasebackup(lab, ours.replicationUser());
            List<CopyVariant> variants = List.of(ours, hand, new DumpRestore(lab), logical);
            try {
                for (int run = 0; run < RUNS; run++) {
                    // Every other run in reverse, links and variants alike, so that neither side always goes first.
                    List<String> limits = run >= LIMITED_RUNS
                            ? List.of(NO_LIMIT)
                            : run % 2 == 0 ? List.of(NO_LIMIT, LIMIT) : List.of(LIMIT, NO_LIMIT);
                    for (String limit : limits) {
                        lab.rate(limit.equals(NO_LIMIT) ? "off" : limit);
                        for (CopyVariant v : run % 2 == 0 ? variants : reversed(variants)) {
                            v.prepare();
                            lab.dropCaches();
                            double s = v.copy();
                            seconds.computeIfAbsent(key(v.method(), limit), k -> new ArrayList<>())
                                    .add(s);
                            if (v.detail() != null) {
                                details.computeIfAbsent(key(v.method(), limit), k -> new ArrayList<>())
                                        .add(v.detailSeconds());
                                detailNames.put(v.method(), v.detail());
                            }
                            ctx.say()
                                    .accept(String.format(
                                            "run %d, link %s: %-18s %.1f s", run + 1, limit, v.method(), s));
                        }
                    }
                }
            } finally {
                lab.rate("off");
            }
            copied = ours.lastBytes();
            // Leaves the target as the copy would: a standby of the source, not half a cluster.
            ours.prepare();
            ours.copy();
        }
        fill(section, source, copied, seconds, details, detailNames);
        section.put("loadAverageAfter", LoadAverage.now());
    }

    /**
     * The hand-run tools log in from the target: pg_basebackup as the replication account switchover
     * made (its pg_hba rule is the migration's), pg_dump as postgres, for which the source gets a rule.
     */
    private static void letTargetLogIn(BenchLab lab, SwitchoverCopy ours) throws Exception {
        String rule = "host " + CopySource.DATABASE + " postgres " + BenchLab.TARGET_ADDRESS + "/32 scram-sha-256";
        lab.sh(
                BenchLab.SOURCE,
                "f=/etc/postgresql/15/main/pg_hba.conf; grep -qxF '" + rule + "' $f || echo '" + rule
                        + "' >> $f; pg_ctlcluster 15 main reload");
        String admin = Files.readString(Path.of(LabSpec.ADMIN_PASSWORD_FILE)).strip();
        lab.pgpass(
                BenchLab.TARGET,
                BenchLab.SOURCE_ADDRESS + ":5432:*:" + ours.replicationUser() + ":" + ours.replicationPassword() + "\n"
                        + BenchLab.SOURCE_ADDRESS + ":5432:*:postgres:" + admin + "\n");
    }

    private static <T> List<T> reversed(List<T> xs) {
        List<T> r = new ArrayList<>(xs);
        Collections.reverse(r);
        return r;
    }

    private static String key(String method, String limit) {
        return method + "@" + limit;
    }

    private static void fill(
            ObjectNode section,
            CopySource.Made source,
            long copied,
            Map<String, List<Double>> seconds,
            Map<String, List<Double>> details,
            Map<String, String> detailNames) {
        section.put("sizeBytes", source.databaseBytes());
        section.put("clusterBytes", source.clusterBytes());
        section.put("copiedBytes", copied);
        section.put("pgbenchScale", source.scale());
        section.put("sourceReused", source.reused());
        section.put("generationSeconds", Stats.round(source.generationSeconds()));
        section.put("limit", LIMIT);
        section.put("runsPerVariant", RUNS);
        section.put("runsPerVariantLimited", LIMITED_RUNS);
        ArrayNode variants = section.putArray("variants");
        seconds.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] mk = e.getKey().split("@");
            ObjectNode v = variants.addObject();
            v.put("method", mk[0]);
            v.put("limit", mk[1]);
            ArrayNode xs = v.putArray("seconds");
            e.getValue().forEach(x -> xs.add(Stats.round(x)));
            double median = Stats.median(e.getValue());
            v.put("medianSeconds", Stats.round(median));
            v.put("mbPerSecond", Stats.round(source.databaseBytes() / 1e6 / median));
            List<Double> d = details.get(e.getKey());
            if (d != null) {
                ArrayNode ds = v.putArray(detailNames.get(mk[0]));
                d.forEach(x -> ds.add(Stats.round(x)));
            }
        });
        double ours = median(seconds, "switchover", NO_LIMIT);
        double hand = median(seconds, "pg_basebackup", NO_LIMIT);
        section.put("ratioToPgBasebackup", Stats.round(hand / ours));
        section.put(
                "ratioToPgBasebackupLimited",
                Stats.round(median(seconds, "pg_basebackup", LIMIT) / median(seconds, "switchover", LIMIT)));
        section.put("ratioToPgDumpRestore", Stats.round(median(seconds, "pg_dump|pg_restore", NO_LIMIT) / ours));
        section.put(
                "ratioToPgDumpRestoreLimited",
                Stats.round(median(seconds, "pg_dump|pg_restore", LIMIT) / median(seconds, "switchover", LIMIT)));
        section.put("ratioToLogical", Stats.round(median(seconds, LOGICAL, NO_LIMIT) / ours));
        section.put(
                "ratioToLogicalLimited",
                Stats.round(median(seconds, LOGICAL, LIMIT) / median(seconds, "switchover", LIMIT)));
        double handCommand = Stats.median(details.getOrDefault(key("pg_basebackup", NO_LIMIT), List.of()));
        section.put("ratioToPgBasebackupCommandAlone", Stats.round(handCommand / ours));
        double inner = Stats.median(details.getOrDefault(key("switchover", NO_LIMIT), List.of()));
        section.put("ratioOfPgBasebackupCommands", Stats.round(handCommand / inner));
        section.put("targetRatio", TARGET_RATIO);
        section.put("targetMet", hand / ours >= TARGET_RATIO);
    }

    /** The second figure of a variant's runs, named as a reader would. */
    private static String detail(JsonNode v) {
        if (!v.has("pgBasebackupSeconds")) return "";
        List<String> xs = new ArrayList<>();
        v.path("pgBasebackupSeconds").forEach(x -> xs.add(String.format("%.1f", x.asDouble())));
        return "its pg_basebackup: " + String.join(", ", xs);
    }

    private static double median(Map<String, List<Double>> seconds, String method, String limit) {
        return Stats.median(seconds.getOrDefault(key(method, limit), List.of()));
    }

    @Override
    public String markdown(JsonNode s) {
        StringBuilder md = new StringBuilder("## Base copy\n\n");
        md.append(String.format(
                "Source: pgbench scale %d in database `%s`, %.2f GB (%.2f GB of cluster; switchover's"
                        + " pg_basebackup copied %.2f GB with WAL), %s. PostgreSQL 15 on lab hosts %s → %s.%n%n",
                s.path("pgbenchScale").asInt(),
                CopySource.DATABASE,
                s.path("sizeBytes").asLong() / 1e9,
                s.path("clusterBytes").asLong() / 1e9,
                s.path("copiedBytes").asLong() / 1e9,
                s.path("sourceReused").asBoolean()
                        ? "reused from an earlier run"
                        : String.format(
                                "generated in %.0f s",
                                s.path("generationSeconds").asDouble()),
                BenchLab.SOURCE_ADDRESS,
                BenchLab.TARGET_ADDRESS));
        md.append(
                "| method | link | runs (s) | median (s) | MB/s | within or beside each run (s) |\n|---|---|---|---|---|---|\n");
        for (JsonNode v : s.path("variants")) {
            List<String> runs = new ArrayList<>();
            v.path("seconds").forEach(x -> runs.add(String.format("%.1f", x.asDouble())));
            md.append(String.format(
                    "| %s | %s | %s | %.1f | %.0f | %s |%n",
                    v.path("method").asText().replace("|", "\\|"),
                    v.path("limit").asText(),
                    String.join(", ", runs),
                    v.path("medianSeconds").asDouble(),
                    v.path("mbPerSecond").asDouble(),
                    detail(v)));
        }
        md.append(String.format(
                "%nRatios, the other's median time over switchover's (above 1: switchover is faster):"
                        + " pg_basebackup by hand, to a streaming standby as switchover's step, **%.3f** (limited link %.3f);"
                        + " the hand's pg_basebackup command alone %.3f; the two pg_basebackup commands, the hand's over the"
                        + " one inside switchover's step, %.3f; pg_dump | pg_restore %.3f (limited link %.3f);"
                        + " switchover's logical method (replication.method: logical) %.3f (limited link %.3f).%n%n",
                s.path("ratioToPgBasebackup").asDouble(),
                s.path("ratioToPgBasebackupLimited").asDouble(),
                s.path("ratioToPgBasebackupCommandAlone").asDouble(),
                s.path("ratioOfPgBasebackupCommands").asDouble(),
                s.path("ratioToPgDumpRestore").asDouble(),
                s.path("ratioToPgDumpRestoreLimited").asDouble(),
                s.path("ratioToLogical").asDouble(),
                s.path("ratioToLogicalLimited").asDouble()));
        md.append(String.format(
                "Target: switchover's copy within 5%% of hand-run pg_basebackup (ratio ≥ %.2f): **%s**"
                        + " on the unlimited link, %s on the limited one.%n%n",
                s.path("targetRatio").asDouble(),
                s.path("targetMet").asBoolean() ? "met" : "not met",
                s.path("ratioToPgBasebackupLimited").asDouble()
                                >= s.path("targetRatio").asDouble()
                        ? "met"
                        : "not met"));
        for (JsonNode v : s.path("variants")) {
            if (!v.path("method").asText().equals("switchover")
                    || !v.path("limit").asText().equals(NO_LIMIT)) continue;
            List<Double> inner = new ArrayList<>();
            v.path("pgBasebackupSeconds").forEach(x -> inner.add(x.asDouble()));
            double own = v.path("medianSeconds").asDouble() - Stats.median(inner);
            md.append(String.format(
                    "Where switchover's time goes on the unlimited link (medians): %.1f s in its"
                            + " pg_basebackup, %.1f s in the step's own work (guard, emptying, starting the standby until it"
                            + " streams).%n%n",
                    Stats.median(inner), own));
        }
        md.append("""
        How it is measured: each variant %d times on the unlimited link and %d on the limited one, in alternating
        order (every other run reversed),
        the page cache dropped before each run (`sync; echo 3 > /proc/sys/vm/drop_caches`) so every run starts
        cold. The limited link is `lab.sh rate %s %s` (tc tbf, both directions of the target's link).
        MB/s is the source database's size over the median time.

        - **switchover**: the BASE_COPY activity's code (`PostgresEngine.baseCopy`) called in the bench's
          process after PREPARE_SOURCE's: the wipe guard, `pg_basebackup -R -X stream -S slot -c fast -P -v`,
          then the target started and seen streaming. Wall time of the whole step.
        - **pg_basebackup**: by hand on the target, `pg_basebackup -h SRC -U replicator -D DATADIR -X stream -R
          -c fast` (the same checkpoint mode as switchover's), into the emptied data directory of the
          stopped cluster, then `pg_ctlcluster 15 main start` and waiting until `pg_stat_wal_receiver`
          says streaming: the state switchover's step ends in. Wall time of both (stopping and emptying
          the target beforehand, which switchover's step also does, are not counted); the
          pg_basebackup command's own time is listed beside it.
        - **pg_dump|pg_restore**: on the target, `pg_dump -h SRC -Fc -Z0 bench | pg_restore -C -d postgres`
          into a fresh running cluster: one stream, nothing on disk between the two (`-Fd -j` would first
          write the whole dump out; with two cores it has little to gain).
        - **switchover logical**: the BASE_COPY activity's code of the logical method
          (`PostgresLogicalEngine.baseCopy`) called in the bench's process after its PREPARE_SOURCE's
          (a role of its own, pg_hba rules, a publication FOR ALL TABLES per database, wal_level = logical),
          into a fresh running cluster (`lab.sh reset`): the roles, each database's schema with its primary
          keys and unique constraints (`pg_dump --schema-only` by the target's pg_dump, restored), a
          subscription per database with `copy_data = true` whose initial copy moves the rows, polled
          every 2 s until every table is ready, then the other indexes, foreign keys and triggers built
          after the sync. pgbench's indexes are all primary keys, so here every index is maintained row by
          row during the initial copy and nothing is left to build after it. Wall time of the whole step.
          It copies the databases' tables, not the cluster's files (no WAL, no free space in pages). Preflight
          is not run, as for the physical variant; for a whole migration it would refuse this database, whose
          pgbench_history has neither a primary key nor a replica identity (the copy moves its rows all the same).

        Load averages (1, 5, 15 min) before and after: %s and %s; the lab hosts share the machine's 2 cores and disk
        with whatever else runs on it.
        """.formatted(
                        s.path("runsPerVariant").asInt(),
                        s.path("runsPerVariantLimited").asInt(2),
                        BenchLab.TARGET,
                        s.path("limit").asText(),
                        s.path("loadAverageBefore").asText(),
                        s.path("loadAverageAfter").asText()));
        return md.toString();
    }
}
