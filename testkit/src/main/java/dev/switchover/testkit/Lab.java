package dev.switchover.testkit;

import dev.switchover.workflows.spec.DatabaseSpec;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.SshSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The lab's driver: lab/lab.sh creates the local test hosts (network namespaces in 198.18.0.0/24
 * with sshd and PostgreSQL, MySQL or MariaDB), and a record describes one of them for tests against
 * a real sshd and database server. {@link #up} brings the host
 * up and fails, with the reason, if it cannot: a test that needs the lab never passes without it.
 *
 * @param vars every variable of {@code lab.sh env NAME}, without the {@code SWLAB_} prefix
 */
public record Lab(String name, String address, Map<String, String> vars) {
    /** lab.sh waits up to 10 minutes for another lab command's lock, then creates a cluster. */
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(15);

    /** Runs {@code lab.sh up NAME:ADDRESS} and reads the host's description. */
    public static Lab up(String name, String address) {
        return up(name, address, "postgres15");
    }

    /** Runs {@code lab.sh up NAME:ADDRESS:FLAVOR} (postgres15, mariadb or mysql) and reads the host's description. */
    public static Lab up(String name, String address, String flavor) {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the lab needs root (network namespaces); run the IT tests as root, not as "
                    + System.getProperty("user.name"));
        }
        labSh(UP_TIMEOUT, "up", name + ":" + address + ":" + flavor);
        return describe(name);
    }

    /**
     * Runs {@code lab.sh reset NAME ...}: each host gets a new cluster (new system identifier) with
     * the lab's defaults. Files beside the data directory and elsewhere on the host stay.
     */
    public static void reset(String... names) {
        List<String> args = new ArrayList<>(List.of("reset"));
        args.addAll(List.of(names));
        labSh(UP_TIMEOUT, args.toArray(String[]::new));
    }

    /**
     * Holds the named hosts for this process alone until closed: an exclusive lock per host on
     * {@code /run/switchover-lab/lease-NAME}, taken in name order. lab.sh serialises single lab
     * commands only; a test class that resets a host and then walks it through several steps takes
     * a lease, so that another run of the same tests (a second checkout, CI) waits instead of
     * resetting the host halfway. Fails with the reason after {@code wait}.
     */
    public static AutoCloseable lease(Duration wait, String... names) {
        List<FileChannel> held = new ArrayList<>();
        AutoCloseable release = () -> {
            for (FileChannel c : held) c.close(); // closing the channel releases its lock
        };
        try {
            Path dir = Path.of("/run/switchover-lab");
            Files.createDirectories(dir);
            long until = System.nanoTime() + wait.toNanos();
            for (String name : new TreeSet<>(List.of(names))) {
                FileChannel c = FileChannel.open(
                        dir.resolve("lease-" + name), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                held.add(c);
                while (c.tryLock() == null) {
                    if (System.nanoTime() - until > 0) {
                        throw new IllegalStateException("lab host " + name + " is still leased by another process"
                                + " after " + wait + " (see fuser " + dir.resolve("lease-" + name) + ")");
                    }
                    Thread.sleep(500);
                }
            }
            return release;
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                release.close();
            } catch (Exception ignored) {
                // the original failure is the one to report
            }
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw e instanceof RuntimeException r
                    ? r
                    : new IllegalStateException("cannot lease lab hosts " + List.of(names) + ": " + e, e);
        }
    }

    /** Reads {@code lab.sh env NAME} for a host that was brought up before. */
    public static Lab describe(String name) {
        Map<String, String> vars = parseEnv(labSh(Duration.ofMinutes(1), "env", name));
        return new Lab(name, require(vars, "ADDRESS"), vars);
    }

    public String get(String var) {
        return require(vars, var);
    }

    /** How the worker logs in to this host. */
    public SshSpec ssh() {
        return new SshSpec(
                get("SSH_USER"),
                Integer.valueOf(get("SSH_PORT")),
                get("SSH_KEY"),
                get("SSH_KNOWN_HOSTS"),
                Duration.ofSeconds(10));
    }

    /** The PostgreSQL admin password all lab hosts share, read from the lab's secret file. */
    public String adminPassword() {
        try {
            return Files.readString(
                            Path.of(get(isMysql() ? "MYSQL_ADMIN_PASSWORD_FILE" : "PG_ADMIN_PASSWORD_FILE")),
                            StandardCharsets.UTF_8)
                    .strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the lab's admin password: " + e, e);
        }
    }

    /** Whether the host runs MySQL or MariaDB (flavors mysql and mariadb) rather than PostgreSQL. */
    public boolean isMysql() {
        return vars.containsKey("MYSQL_PORT");
    }

    /** The host as a spec names it, its database server included. */
    public HostSpec host() {
        if (isMysql()) {
            return new HostSpec(
                    address,
                    ssh(),
                    new DatabaseSpec(
                            Integer.valueOf(get("MYSQL_PORT")),
                            get("MYSQL_ADMIN_USER"),
                            "file:" + get("MYSQL_ADMIN_PASSWORD_FILE"),
                            "mysql",
                            get("MYSQL_DATA_DIR"),
                            get("MYSQL_START_CMD"),
                            get("MYSQL_STOP_CMD"),
                            null));
        }
        return new HostSpec(
                address,
                ssh(),
                new DatabaseSpec(
                        Integer.valueOf(get("PG_PORT")),
                        get("PG_ADMIN_USER"),
                        "file:" + get("PG_ADMIN_PASSWORD_FILE"),
                        "postgres",
                        get("PG_DATA_DIR"),
                        get("PG_START_CMD"),
                        get("PG_STOP_CMD"),
                        null));
    }

    /**
     * The folder holding lab/lab.sh: SWITCHOVER_HOME (set by ./switchover, for the demo) or the
     * working directory, or a folder above either.
     */
    public static Path repoRoot() {
        List<Path> starts = new ArrayList<>();
        String home = System.getenv("SWITCHOVER_HOME");
        if (home != null) starts.add(Path.of(home));
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isExecutable(p.resolve("lab/lab.sh"))) return p;
            }
        }
        throw new IllegalStateException(
                "no lab/lab.sh in " + starts + " or any folder above them: run this from the switchover repository");
    }

    /**
     * Runs lab.sh with {@code args} (up to 10 minutes); what it printed, stdout and stderr together
     * as a person would see them, or an exception carrying it.
     */
    public static String run(String... args) {
        List<String> cmd =
                new ArrayList<>(List.of(repoRoot().resolve("lab/lab.sh").toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("lab.sh " + String.join(" ", args) + " did not finish in 10 minutes");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        "lab.sh " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run lab.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs lab.sh with {@code args}; its stdout, or an exception carrying all it printed. */
    public static String labSh(Duration timeout, String... args) {
        List<String> command =
                new ArrayList<>(List.of(repoRoot().resolve("lab/lab.sh").toString()));
        command.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("lab", ".stderr");
            try {
                Process p =
                        new ProcessBuilder(command).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " took longer than " + timeout);
                }
                String stdout = new String(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command)
                            + " exited with "
                            + p.exitValue()
                            + ":\n"
                            + stdout
                            + Files.readString(err));
                }
                return stdout;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running lab.sh", e);
        }
    }

    /** Parses lines {@code SWLAB_KEY='value'}, where a quote inside is written {@code '\''}. */
    static Map<String, String> parseEnv(String text) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0 || !line.startsWith("SWLAB_")) continue;
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1).replace("'\\''", "'");
            }
            vars.put(line.substring("SWLAB_".length(), eq), value);
        }
        return vars;
    }

    private static String require(Map<String, String> vars, String key) {
        String v = vars.get(key);
        if (v == null) throw new IllegalStateException("lab.sh env printed no SWLAB_" + key);
        return v;
    }
}
