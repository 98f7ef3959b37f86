package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.spec.Engine;

/** The engine's steps on MariaDB 10.11 (Debian 12's mariadb-server) hosts mds and mdt. */
class MariaDbEngineIT extends MySqlEngineContract {
  @Override
  Engine kind() {
    return Engine.MARIADB;
  }
}
