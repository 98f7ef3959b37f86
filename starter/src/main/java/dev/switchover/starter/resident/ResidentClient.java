package dev.switchover.starter.resident;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fast path of the verbs an operator types again and again (status, list, approve ...): a
 * JVM that loads gRPC, Temporal's protobuf types and Jackson spends most of a second on that
 * before it asks anything. So the first such call also starts a resident process ({@link
 * CliDaemon}) and later calls hand it their arguments over a Unix socket and print its answer; a
 * call that finds none runs in its own JVM, as before. Only java.base here.
 *
 * <p>One resident process per build of the jar and per environment that the CLI reads (the
 * TEMPORAL_ and SWITCHOVER_ variables, HOME, TZ, the locale): it was started with that
 * environment, so its answers are those a fresh JVM would give. Its socket sits in a directory
 * only this user may enter. It exits after {@link CliDaemon#IDLE} without a call;
 * {@code SWITCHOVER_CLI_RESIDENT=off} keeps every call in its own JVM.
 */
public final class ResidentClient {
    /** Verbs that ask the server and print the answer; none reads a file or the terminal. */
    static final Set<String> SERVED =
            Set.of("status", "list", "approve", "abort", "pause", "resume", "promote-without-source");

    static final String SWITCH = "SWITCHOVER_CLI_RESIDENT";
    private static final List<String> KEYED_NAMES =
            List.of("HOME", "TZ", "LANG", "LC_ALL", "LC_CTYPE", "LC_TIME", "USER", "TERM", "NO_COLOR");

    private ResidentClient() {}

    /**
     * The exit code of {@code args} answered by the resident process, or empty: not a served verb,
     * switched off, or no resident process yet (then one is started for the next call, and this call
     * runs in the caller's JVM).
     */
    public static OptionalInt run(String[] args) {
        if (args.length == 0 || !SERVED.contains(args[0]) || "off".equals(System.getenv(SWITCH))) {
            return OptionalInt.empty();
        }
        Path jar = ownJar();
        Path dir = socketDirectory();
        if (jar == null || dir == null) return OptionalInt.empty();
        byte[] salt = salt(dir);
        if (salt == null) return OptionalInt.empty();
        Path socket = dir.resolve("cli-" + key(jar, System.getenv(), salt) + ".sock");
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | UnsupportedOperationException none) {
            startResident(jar, socket);
            return OptionalInt.empty();
        }
        try (channel) {
            OptionalInt answered = exchange(channel, args);
            // Closed before it took the call (it was leaving, idle, or was killed): the call never ran there.
            if (answered.isEmpty()) startResident(jar, socket);
            return answered;
        } catch (IOException broken) {
            System.err.println("switchover: the resident CLI process (" + socket + ") stopped before it answered: "
                    + broken.getMessage() + ". Whether the request reached Temporal is unknown: check with `status`,"
                    + " or set " + SWITCH + "=off to run each call in its own process.");
            return OptionalInt.of(1);
        }
    }

    /**
     * The call's exit code, or empty if the resident process closed the connection before it took
     * the call; an IOException once it had taken it (then whether it acted is unknown).
     */
    static OptionalInt exchange(SocketChannel channel, String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
        int taken;
        try {
            DataOutputStream request = new DataOutputStream(Channels.newOutputStream(channel));
            // Whether this call prints to a terminal, which picocli asks to colour its usage help.
            Frames.writeRequest(request, new Frames.Request(args, System.console() != null));
            taken = in.read();
        } catch (IOException closedBeforeTaking) {
            return OptionalInt.empty();
        }
        if (taken < 0) return OptionalInt.empty();
        if (taken != Frames.ACCEPTED) throw new IOException("the resident CLI process answered out of turn");
        if ("1".equals(System.getenv("SWITCHOVER_CLI_TRACE"))) {
            System.err.println("switchover: answered by the resident CLI process");
        }
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        OutputStream err = new FileOutputStream(FileDescriptor.err);
        byte[] buffer = new byte[8192];
        while (true) {
            byte kind;
            try {
                kind = in.readByte();
            } catch (EOFException e) {
                throw new IOException("the connection closed without an exit code");
            }
            if (kind == Frames.EXIT) return OptionalInt.of(in.readInt());
            OutputStream to = kind == Frames.OUT ? out : err;
            int left = in.readInt();
            while (left > 0) {
                int n = in.read(buffer, 0, Math.min(buffer.length, left));
                if (n < 0) throw new IOException("the connection closed in the middle of an answer");
                to.write(buffer, 0, n);
                left -= n;
            }
            to.flush();
        }
    }

    /** The jar this class runs from, or null when it runs from classes (tests, an IDE). */
    static Path ownJar() {
        try {
            Path p = Path.of(ResidentClient.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * $XDG_RUNTIME_DIR/switchover, else /tmp/switchover-USER: created private, and refused (null)
     * if someone else owns it or may enter it, since whoever can reach the socket can ask the
     * resident process to act with this user's Temporal access.
     */
    static Path socketDirectory() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path dir = runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
                ? Path.of(runtime, "switchover")
                : Path.of(System.getProperty("java.io.tmpdir"), "switchover-" + System.getProperty("user.name"));
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return null;
            if (!Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name")))
                return null;
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            return perms.equals(PosixFilePermissions.fromString("rwx------")) ? dir : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Random bytes kept in the private directory, hashed into every socket name: a resident
     * process's command line (the socket path) is visible to every user, and the environment it is
     * named from may hold a secret (an exported password, later an API key) that a bare hash would
     * let them guess at offline. Null if it can be neither read nor made.
     */
    static byte[] salt(Path dir) {
        Path file = dir.resolve("salt");
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                byte[] fresh = new byte[32];
                new java.security.SecureRandom().nextBytes(fresh);
                Path tmp = Files.createTempFile(dir, "salt", ".new");
                Files.write(tmp, fresh);
                try {
                    // Atomic and never over another call's salt: the first one made is the one kept.
                    Files.createLink(file, tmp);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another call made it first
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            byte[] salt = Files.readAllBytes(file);
            return salt.length == 32 ? salt : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Names the resident process for this build, this environment and this user's salt. */
    static String key(Path jar, Map<String, String> env, byte[] salt) {
        Map<String, String> keyed = new TreeMap<>();
        env.forEach((name, value) -> {
            if ((name.startsWith("TEMPORAL_") || name.startsWith("SWITCHOVER_") || KEYED_NAMES.contains(name))
                    && !name.equals("SWITCHOVER_CLI_TRACE")) {
                keyed.put(name, value);
            }
        });
        StringBuilder b = new StringBuilder(jar.toString());
        try {
            b.append('\n')
                    .append(Files.size(jar))
                    .append('\n')
                    .append(Files.getLastModifiedTime(jar).toMillis());
        } catch (IOException e) {
            b.append("\nunreadable");
        }
        keyed.forEach((name, value) -> b.append('\n').append(name).append('=').append(value));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            byte[] digest = sha.digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts {@link CliDaemon} for the next call, in a session of its own (a Ctrl-C in this
     * terminal is not for it), its output in a log beside the socket. Best effort: a call is never
     * failed for it.
     */
    private static void startResident(Path jar, Path socket) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) cmd.add("/usr/bin/setsid");
        cmd.addAll(List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xss512k",
                "-XX:MaxRAM=1g",
                "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
                "-Dslf4j.internal.verbosity=WARN",
                "-cp",
                jar.toString(),
                CliDaemon.class.getName(),
                socket.toString()));
        try {
            Path log = Path.of(socket.toString().replaceAll("\\.sock$", ".log"));
            new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException | RuntimeException e) {
            // the next call tries again
        }
    }
}
