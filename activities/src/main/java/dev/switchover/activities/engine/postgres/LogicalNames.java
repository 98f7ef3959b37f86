package dev.switchover.activities.engine.postgres;

import dev.switchover.workflows.spec.MigrationSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The names logical replication's objects get, one place for every step that creates, checks or
 * drops them: the publication on the source and the subscription on the target (one per moved
 * database, the same name in each), and the source's slot per database (slots are the cluster's,
 * so the database is in the name). PostgreSQL truncates names at 63 bytes: a longer one keeps its
 * start and ends with a hash of the whole, so two never collide.
 */
final class LogicalNames {
    private static final int NAMEDATALEN = 63;

    private LogicalNames() {}

    static String publication(MigrationSpec spec) {
        return fit("switchover_" + clean(spec.name()));
    }

    static String subscription(MigrationSpec spec) {
        return publication(spec);
    }

    static String slot(MigrationSpec spec, String database) {
        return fit("switchover_" + clean(spec.name()) + "_" + clean(database));
    }

    /** What the objects switchover creates say in their comment, so undo drops only its own. */
    static String comment(MigrationSpec spec) {
        return "switchover:" + spec.name();
    }

    /**
     * Every database that moves: the spec's replication.databases, or else every one a client can
     * connect to, templates left out. Preflight refuses a listed one the source does not have.
     */
    static List<String> movedDatabases(MigrationSpec spec, PgSession source) {
        if (spec.replication().databases() != null) return spec.replication().databases();
        return allDatabases(source);
    }

    /** The source's databases a client can connect to, templates left out. */
    static List<String> allDatabases(PgSession source) {
        return source
                .rows("SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname")
                .stream()
                .map(r -> r.get(0))
                .toList();
    }

    /** Slot names allow lower-case letters, digits and _ only. */
    private static String clean(String name) {
        return name.toLowerCase().replaceAll("[^a-z0-9_]", "_");
    }

    private static String fit(String name) {
        if (name.length() <= NAMEDATALEN) return name;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            String hash = HexFormat.of().formatHex(digest, 0, 4);
            return name.substring(0, NAMEDATALEN - hash.length() - 1) + "_" + hash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
