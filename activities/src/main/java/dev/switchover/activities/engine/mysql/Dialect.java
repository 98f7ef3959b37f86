package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.spec.Engine;

/**
 * Where MySQL and MariaDB say the same thing differently. Both replicate by GTID, but MySQL's
 * GTID sets (uuid:1-42) and MariaDB's positions (domain-server-seq) are different things, and
 * MySQL renamed its replication statements in 8.0.22/8.0.23 and RESET MASTER in 8.4.
 */
enum Dialect {
  MYSQL("mysql", "jdbc:mysql://", "mysqldump", "mysql"),
  MARIADB("mariadb", "jdbc:mariadb://", "mariadb-dump", "mariadb");

  final String product;
  final String jdbcPrefix;
  final String dumpTool;
  final String clientTool;

  Dialect(String product, String jdbcPrefix, String dumpTool, String clientTool) {
    this.product = product;
    this.jdbcPrefix = jdbcPrefix;
    this.dumpTool = dumpTool;
    this.clientTool = clientTool;
  }

  static Dialect of(Engine engine) {
    return switch (engine) {
      case MYSQL -> MYSQL;
      case MARIADB -> MARIADB;
      default -> throw new IllegalArgumentException(engine + " is not MySQL or MariaDB");
    };
  }

  String displayName() {
    return this == MYSQL ? "MySQL" : "MariaDB";
  }

  /** The variable holding every transaction this server has committed (and logged). */
  String executedVariable() {
    return this == MYSQL ? "@@GLOBAL.gtid_executed" : "@@GLOBAL.gtid_binlog_pos";
  }

  /**
   * The variable holding every transaction a replica has applied: MariaDB's binlog position omits
   * the ones applied before log_slave_updates was on, its current position does not.
   */
  String appliedVariable() {
    return this == MYSQL ? "@@GLOBAL.gtid_executed" : "@@GLOBAL.gtid_current_pos";
  }

  /** Statements by MySQL version: the REPLICA/SOURCE words exist from 8.0.22 (8.0.23 for CHANGE). */
  boolean newWords(Version v) {
    return this == MYSQL && v.atLeast(8, 0, 23);
  }

  String replicaStatus(Version v) {
    return newWords(v) ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
  }

  String stopReplica(Version v) {
    return newWords(v) ? "STOP REPLICA" : "STOP SLAVE";
  }

  String startReplica(Version v) {
    return newWords(v) ? "START REPLICA" : "START SLAVE";
  }

  String resetReplicaAll(Version v) {
    return newWords(v) ? "RESET REPLICA ALL" : "RESET SLAVE ALL";
  }

  /** Forgets the binary log and, on MySQL, the GTID history, so the copy's own history can be loaded. */
  String resetBinaryLogs(Version v) {
    return this == MYSQL && v.atLeast(8, 4, 0) ? "RESET BINARY LOGS AND GTIDS" : "RESET MASTER";
  }

  /** A column of SHOW REPLICA STATUS under the version's name for it. */
  String column(Version v, String newName) {
    if (newWords(v)) return newName;
    return newName.replace("Replica", "Slave").replace("Source", "Master");
  }
}
