package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.spec.Engine;

/** The engine's steps on MySQL 9.7 (Debian sid's mysql-server) hosts mys and myt. */
class MySqlEngineIT extends MySqlEngineContract {
  @Override
  Engine kind() {
    return Engine.MYSQL;
  }
}
