package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.spec.Engine;

/** The fence and the proof at promotion on MariaDB 10.11 hosts mds and mdt. */
class MariaDbFenceIT extends MySqlFenceContract {
  @Override
  Engine kind() {
    return Engine.MARIADB;
  }
}
