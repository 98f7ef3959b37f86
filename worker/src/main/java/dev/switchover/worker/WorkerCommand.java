package dev.switchover.worker;

import dev.switchover.starter.ConnectionOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Run the worker that executes migrations until stopped (Ctrl-C or SIGTERM stop it gracefully).",
      "With no --address/TEMPORAL_ADDRESS and nothing listening on 127.0.0.1:7233, it first starts an"
          + " embedded in-memory Temporal there, so `switchover start` works from another terminal."
    })
final class WorkerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--drain-timeout",
      defaultValue = "30",
      description = "Seconds running activities get to finish on shutdown (default ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedTemporal embedded = null;
    WorkflowServiceStubs service;
    String where;
    if (connection.addressConfigured()) {
      where = connection.address();
      service = stubs(where);
    } else if (EmbeddedTemporal.somethingListensOn(EmbeddedTemporal.PORT)) {
      where = EmbeddedTemporal.HOST + ":" + EmbeddedTemporal.PORT;
      service = stubs(where);
    } else {
      embedded = EmbeddedTemporal.start(EmbeddedTemporal.PORT);
      service = embedded.service();
      where = "an embedded in-memory Temporal on " + EmbeddedTemporal.HOST + ":" + EmbeddedTemporal.PORT
          + " (migrations do not survive this process; set TEMPORAL_ADDRESS for a real server)";
    }
    WorkflowClient client = WorkflowClient.newInstance(
        service, WorkflowClientOptions.newBuilder().setNamespace(connection.namespace()).build());
    WorkerFactory factory = SwitchoverWorker.start(client, connection.taskQueue());
    log.info("worker polling task queue '{}' in namespace '{}' on {}", connection.taskQueue(),
        connection.namespace(), where);

    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedTemporal toClose = embedded;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping: no new work is taken; running activities get {}s to finish", drainSeconds);
      factory.shutdown();
      factory.awaitTermination(drainSeconds, TimeUnit.SECONDS);
      service.shutdown();
      if (toClose != null) toClose.close();
      stopped.countDown();
    }, "switchover-worker-shutdown"));
    stopped.await();
    return 0;
  }

  private static WorkflowServiceStubs stubs(String address) {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
  }
}
