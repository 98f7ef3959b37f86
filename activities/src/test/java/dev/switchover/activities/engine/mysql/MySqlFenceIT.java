package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.spec.Engine;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The fence and the proof at promotion on MySQL 9.7 hosts mys and myt. */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:mys+myt")
class MySqlFenceIT extends MySqlFenceContract {
    @Override
    Engine kind() {
        return Engine.MYSQL;
    }
}
