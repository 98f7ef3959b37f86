package dev.switchover.worker.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The lab's own script (lab/lab.sh), which creates the local test hosts: network namespaces in
 * 198.18.0.0/24 with sshd and PostgreSQL. The demo and the end-to-end tests drive it through here.
 */
public final class LabScript {
  public static final String STATE = System.getenv().getOrDefault("SWITCHOVER_LAB_DIR", "/var/lib/switchover-lab");
  public static final String KEY = STATE + "/client/id_ed25519";
  public static final String KNOWN_HOSTS = STATE + "/client/known_hosts";
  public static final String ADMIN_PASSWORD_FILE = STATE + "/secrets/pg-admin-password";

  private final Path script;

  private LabScript(Path script) {
    this.script = script;
  }

  /** Finds lab/lab.sh from SWITCHOVER_HOME (set by ./switchover) or the working directory upwards. */
  public static LabScript find() {
    List<Path> starts = new ArrayList<>();
    String home = System.getenv("SWITCHOVER_HOME");
    if (home != null) starts.add(Path.of(home));
    starts.add(Path.of("").toAbsolutePath());
    for (Path start : starts) {
      for (Path p = start; p != null; p = p.getParent()) {
        if (Files.isExecutable(p.resolve("lab/lab.sh"))) return new LabScript(p.resolve("lab/lab.sh"));
      }
    }
    throw new IllegalStateException("lab/lab.sh not found: run this from the switchover repository");
  }

  public String run(String... args) {
    List<String> cmd = new ArrayList<>(List.of(script.toString()));
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
        throw new IllegalStateException("lab.sh " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * How a lab host is reached in a migration spec: its ssh and database settings, indented to
   * follow an {@code address:} line under {@code source:} or {@code target:}.
   */
  public static String specHostSettings() {
    return """
          ssh:
            privateKey: %s
            knownHosts: %s
          database:
            adminPassword: file:%s
            dataDirectory: /var/lib/postgresql/15/main
            serviceStart: pg_ctlcluster 15 main start
            serviceStop: pg_ctlcluster 15 main stop
        """.formatted(KEY, KNOWN_HOSTS, ADMIN_PASSWORD_FILE);
  }

  public static String adminPassword() {
    try {
      return Files.readString(Path.of(ADMIN_PASSWORD_FILE)).strip();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + ADMIN_PASSWORD_FILE + ": " + e.getMessage(), e);
    }
  }
}
