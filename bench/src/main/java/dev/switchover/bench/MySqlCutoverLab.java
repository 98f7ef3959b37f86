package dev.switchover.bench;

import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.SetWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * MySQL 9 from bms to bmt. The writer, logged in as the application, reads the primary's address
 * from a file before every reconnect, and the traffic-switch hook writes the new primary there,
 * as an application follows DNS.
 */
final class MySqlCutoverLab extends CutoverLab {
    MySqlCutoverLab() {
        super(
                "mysql",
                "MySQL 9 (`traffic.type: command`): the hook writes the new primary's address to a file the"
                        + " writer reads before each reconnect",
                LabPair.up(LabHost.BMS, LabHost.BMT),
                ReplicationMethod.DEFAULT);
    }

    @Override
    void started() {
        // nothing beside the servers
    }

    @Override
    Supplier<String> primary(Path dir) throws IOException {
        Files.writeString(primaryFile(dir), pair().sourceAddress() + "\n");
        return SetWriter.fromFile(primaryFile(dir));
    }

    @Override
    SetWriter.Login login() {
        return pair()::app;
    }

    @Override
    String traffic(Path dir) {
        return """
        traffic:
          type: command
          command:
            command: printf '%%s\\n' %s > %s
        """.formatted(pair().targetAddress(), primaryFile(dir));
    }

    @Override
    void close() {
        pair().run("down", pair().sourceName(), pair().targetName());
    }

    private static Path primaryFile(Path dir) {
        return dir.resolve("primary");
    }
}
