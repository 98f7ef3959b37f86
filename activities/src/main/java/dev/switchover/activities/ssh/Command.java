package dev.switchover.activities.ssh;

import dev.switchover.activities.secrets.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One program to run on a host: its argv (never a shell line), and optionally the user to run it
 * as, environment entries, secrets, bytes for its stdin, a timeout and a heartbeat hook. Immutable;
 * each {@code with...} method returns a changed copy.
 *
 * <p><b>Secrets</b> ({@link #secretEnv}) reach the program as environment variables but travel
 * through the SSH channel's stdin, never through any process's argv, so {@code ps} and {@code
 * /proc/PID/cmdline} on the host do not show them. The remote line is {@code sh -c
 * '<read one line per name from stdin and export it>; exec "$@"' sh NAME... -- argv...}: the
 * wrapper reads the secrets, one line each, then execs the program, which inherits the rest of
 * stdin (the bytes given to {@link #stdin}). A secret therefore cannot contain a newline. Plain
 * {@link #env} entries go on the command line through {@code env NAME=VALUE} and are visible to
 * {@code ps}: use them only for values that are not secret.
 */
public final class Command {
    /**
     * A command that does not say how long it may take is a quick check or a small change: two
     * minutes is generous for that, and short enough that a hung host does not hold an activity for
     * long. Long work (copies, restores) sets its own timeout.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    /**
     * Reads one line from stdin for each name before the {@code --}, exports it under that name,
     * then execs the rest. Constant text: the names and argv arrive as positional parameters.
     */
    static final String SECRET_WRAPPER = "while [ \"$1\" != -- ]; do"
            + " IFS= read -r v || { echo 'switchover: secret missing on stdin' >&2; exit 125; };"
            + " export \"$1=$v\"; shift;"
            + " done; unset v; shift; exec \"$@\"";

    /**
     * Moves into the user's home before exec: the login user's (root's) directory is usually closed
     * to others, and tools such as psql warn on stderr when they cannot reach their cwd.
     */
    static final String HOME_WRAPPER = "cd \"$HOME\" 2>/dev/null || cd /; exec \"$@\"";

    private final List<String> argv;
    private final String asUser;
    private final Map<String, String> env;
    private final Map<String, Secret> secretEnv;
    private final byte[] stdin;
    private final Duration timeout;
    private final Runnable heartbeat;

    private Command(
            List<String> argv,
            String asUser,
            Map<String, String> env,
            Map<String, Secret> secretEnv,
            byte[] stdin,
            Duration timeout,
            Runnable heartbeat) {
        this.argv = argv;
        this.asUser = asUser;
        this.env = env;
        this.secretEnv = secretEnv;
        this.stdin = stdin;
        this.timeout = timeout;
        this.heartbeat = heartbeat;
    }

    public static Command of(String... argv) {
        return of(Arrays.asList(argv));
    }

    public static Command of(List<String> argv) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least the program's name");
        }
        List<String> copy = List.copyOf(argv);
        copy.forEach(ShellQuote::quote); // rejects NUL now rather than at run time
        return new Command(copy, null, Map.of(), Map.of(), new byte[0], DEFAULT_TIMEOUT, null);
    }

    /**
     * Runs the program as {@code user} through {@code runuser -u user --} (so the login user must be
     * root), in that user's home directory.
     */
    public Command asUser(String user) {
        if (user != null && !USER_NAME.matcher(user).matches()) {
            throw new IllegalArgumentException("not a user name: " + user);
        }
        return new Command(argv, user, env, secretEnv, stdin, timeout, heartbeat);
    }

    /**
     * Names the work this command does for a migration (e.g. {@code basecopy-orders}), so that a
     * later attempt can stop it with {@link RemoteHost#stopJob} if the worker that started it died
     * and left it running on the host.
     */
    public Command withJob(String job) {
        if (job == null || !JOB_NAME.matcher(job).matches())
            throw new IllegalArgumentException("not a job name: " + job);
        return withEnv(JOB_VARIABLE, job);
    }

    static final String JOB_VARIABLE = "SWITCHOVER_JOB";
    private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Sets a non-secret environment variable; it is visible in the remote argv. */
    public Command withEnv(String name, String value) {
        checkName(name);
        Objects.requireNonNull(value, "value");
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(name, value);
        return new Command(argv, asUser, Collections.unmodifiableMap(copy), secretEnv, stdin, timeout, heartbeat);
    }

    /** Sets an environment variable whose value travels through stdin, out of every argv. */
    public Command withSecretEnv(String name, Secret secret) {
        checkName(name);
        String value = Objects.requireNonNull(secret, "secret").reveal();
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "the secret for " + name + " contains a line break or NUL; it cannot go through stdin");
        }
        Map<String, Secret> copy = new LinkedHashMap<>(secretEnv);
        copy.put(name, secret);
        return new Command(argv, asUser, env, Collections.unmodifiableMap(copy), stdin, timeout, heartbeat);
    }

    public Command withStdin(byte[] bytes) {
        return new Command(argv, asUser, env, secretEnv, bytes.clone(), timeout, heartbeat);
    }

    public Command withStdin(String text) {
        return withStdin(text.getBytes(StandardCharsets.UTF_8));
    }

    /** How long the program may run; the host's own {@code timeout} kills it after that. */
    public Command withTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a command timeout must be positive");
        }
        return new Command(argv, asUser, env, secretEnv, stdin, timeout, heartbeat);
    }

    /**
     * Called on the calling thread about every {@link RemoteHost#HEARTBEAT_EVERY} while the program
     * runs. Activities pass {@code () -> Activity.getExecutionContext().heartbeat(null)}; if it
     * throws (the activity was cancelled), the program is killed and the exception propagates.
     */
    public Command withHeartbeat(Runnable heartbeat) {
        return new Command(argv, asUser, env, secretEnv, stdin, timeout, heartbeat);
    }

    public List<String> argv() {
        return argv;
    }

    public String asUser() {
        return asUser;
    }

    public Map<String, String> env() {
        return env;
    }

    public Duration timeout() {
        return timeout;
    }

    public Runnable heartbeat() {
        return heartbeat;
    }

    /**
     * The line sshd gives the login shell. Every piece is a quoted word: {@code [runuser -u USER --
     * sh -c HOME_WRAPPER sh] env SWITCHOVER_RUN=RUN_TAG [NAME=VALUE...] timeout -k 5s Ns [sh -c
     * SECRET_WRAPPER sh SECRET_NAME... --] argv...}.
     *
     * <p>The host's {@code timeout} enforces the deadline even when the connection to the worker is
     * gone, and kills the program's whole process group. {@code SWITCHOVER_RUN} is inherited by
     * everything the program starts, so that the worker can find and kill all of it from another
     * session when it must stop it early: sshd does not deliver signals to root sessions.
     */
    String remoteLine(String runTag) {
        List<String> words = new ArrayList<>();
        if (asUser != null) {
            words.addAll(List.of("runuser", "-u", asUser, "--", "sh", "-c", HOME_WRAPPER, "sh"));
        }
        words.addAll(List.of("env", RUN_TAG_VARIABLE + "=" + runTag));
        env.forEach((name, value) -> words.add(name + "=" + value));
        words.addAll(List.of("timeout", "-k", KILL_AFTER_SECONDS + "s", wholeSeconds(timeout) + "s"));
        if (!secretEnv.isEmpty()) {
            words.addAll(List.of("sh", "-c", SECRET_WRAPPER, "sh"));
            words.addAll(secretEnv.keySet());
            words.add("--");
        }
        words.addAll(argv);
        return ShellQuote.line(words);
    }

    /** The environment variable that marks every process a run started. */
    static final String RUN_TAG_VARIABLE = "SWITCHOVER_RUN";

    /** Grace between the TERM that {@code timeout} sends and its KILL. */
    static final int KILL_AFTER_SECONDS = 5;

    /** The bytes the remote side reads: one line per secret, then the program's own stdin. */
    byte[] remoteStdin() {
        StringBuilder secrets = new StringBuilder();
        secretEnv.values().forEach(s -> secrets.append(s.reveal()).append('\n'));
        byte[] head = secrets.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(head, head.length + stdin.length);
        System.arraycopy(stdin, 0, all, head.length, stdin.length);
        return all;
    }

    static long wholeSeconds(Duration d) {
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return Math.max(1, s);
    }

    /** For logs and messages: user, environment and argv, with every secret as {@code ***}. */
    public String display() {
        StringBuilder b = new StringBuilder();
        if (asUser != null) b.append("[as ").append(asUser).append("] ");
        env.forEach((n, v) -> b.append(ShellQuote.display(List.of(n + "=" + v))).append(' '));
        secretEnv.keySet().forEach(n -> b.append(n).append("=*** "));
        return b.append(ShellQuote.display(argv)).toString();
    }

    @Override
    public String toString() {
        return display();
    }

    private static void checkName(String name) {
        if (name == null || !ENV_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not an environment variable name: " + name);
        }
    }
}
