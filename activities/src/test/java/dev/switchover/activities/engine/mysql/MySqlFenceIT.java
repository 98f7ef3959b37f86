package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.spec.Engine;

/** The fence and the proof at promotion on MySQL 9.7 hosts mys and myt. */
class MySqlFenceIT extends MySqlFenceContract {
  @Override
  Engine kind() {
    return Engine.MYSQL;
  }
}
