package dev.switchover.workflows.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The database engines switchover can migrate. Their differences live behind the activities. */
public enum Engine {
  POSTGRESQL("postgresql", 5432, "postgres", "postgres", "systemctl start postgresql", "systemctl stop postgresql"),
  MYSQL("mysql", 3306, "root", "mysql", "systemctl start mysql", "systemctl stop mysql"),
  MARIADB("mariadb", 3306, "root", "mysql", "systemctl start mariadb", "systemctl stop mariadb");

  private final String id;
  final int defaultPort;
  final String defaultAdminUser;
  final String defaultOsUser;
  final String defaultServiceStart;
  final String defaultServiceStop;

  Engine(String id, int port, String adminUser, String osUser, String start, String stop) {
    this.id = id;
    this.defaultPort = port;
    this.defaultAdminUser = adminUser;
    this.defaultOsUser = osUser;
    this.defaultServiceStart = start;
    this.defaultServiceStop = stop;
  }

  @JsonValue
  public String id() {
    return id;
  }

  @JsonCreator
  public static Engine of(String text) {
    for (Engine e : values()) {
      if (e.id.equalsIgnoreCase(text) || e.name().equalsIgnoreCase(text)) return e;
    }
    throw new IllegalArgumentException("unknown engine '" + text + "'");
  }
}
