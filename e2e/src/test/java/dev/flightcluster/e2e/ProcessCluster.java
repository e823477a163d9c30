package dev.flightcluster.e2e;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.cli.client.DatasetListing;
import dev.flightcluster.cli.demo.ChildProcesses;
import dev.flightcluster.cli.demo.DemoData;
import dev.flightcluster.cli.demo.FreePorts;
import dev.flightcluster.cli.health.HealthCommand;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.protocol.Locations;
import dev.flightcluster.server.parquet.ParquetFiles;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The distribution as a cluster of OS processes: coordinators and the demo's two data servers
 * (server-1 and server-2 share one byte-identical dataset), every server registered with every
 * coordinator. Each coordinator is a {@link ChildProcesses} of its own, so a test can kill one
 * while the others are still checked for life.
 */
final class ProcessCluster implements AutoCloseable {
  static final long ROWS = 20_000;

  private final Distribution distribution;
  private final Path work;
  private final List<ChildProcesses> coordinatorProcesses = new ArrayList<>();
  private final ChildProcesses serverProcesses = new ChildProcesses(Duration.ofSeconds(10));
  private final List<Location> coordinators = new ArrayList<>();
  private final List<Location> servers = new ArrayList<>();
  private final List<String> datasets;

  private ProcessCluster(Distribution distribution, Path work, BufferAllocator allocator)
      throws Exception {
    this.distribution = requireNonNull(distribution, "distribution is null");
    this.work = requireNonNull(work, "work is null");
    DemoData data = new DemoData(work.resolve("data"));
    data.ensure(allocator, ParquetFiles::write, ROWS, 4_096, new PrintWriter(new StringWriter()));
    datasets = data.expectedDatasets();
    assertThat(datasets).hasSize(3);
  }

  /** Starts {@code coordinatorCount} coordinators, then the two servers, each given all of them. */
  static ProcessCluster start(
      Distribution distribution, Path work, BufferAllocator allocator, int coordinatorCount)
      throws Exception {
    ProcessCluster cluster = new ProcessCluster(distribution, work, allocator);
    boolean ok = false;
    try {
      List<Integer> ports = FreePorts.pick(coordinatorCount + DemoData.SERVERS.size());
      for (int i = 0; i < coordinatorCount; i++) {
        cluster.startCoordinator(i, ports.get(i));
      }
      String coordinatorList =
          cluster.coordinators.stream()
              .map(l -> l.getUri().toString())
              .collect(Collectors.joining(","));
      DemoData data = new DemoData(work.resolve("data"));
      for (int i = 0; i < DemoData.SERVERS.size(); i++) {
        String id = DemoData.SERVERS.get(i);
        String port = ports.get(coordinatorCount + i).toString();
        cluster.servers.add(Locations.parse("grpc://127.0.0.1:" + port));
        cluster.serverProcesses.start(
            id,
            distribution.command(
                "server",
                "--host",
                "127.0.0.1",
                "--port",
                port,
                "--advertise",
                "grpc://127.0.0.1:" + port,
                "--server-id",
                id,
                "--data-dir",
                data.serverDir(id).toString(),
                "--coordinator",
                coordinatorList,
                "--heartbeat-interval",
                "1s"),
            distribution.environment(),
            work.resolve("logs/" + id + ".log"),
            1);
      }
      ok = true;
      return cluster;
    } finally {
      if (!ok) {
        cluster.close();
      }
    }
  }

  private void startCoordinator(int index, int port) throws IOException {
    coordinators.add(Locations.parse("grpc://127.0.0.1:" + port));
    coordinatorProcesses.add(new ChildProcesses(Duration.ofSeconds(10)));
    launchCoordinator(index, port);
  }

  /** Starts a coordinator again on its old port, after {@link #killCoordinator}. */
  void restartCoordinator(int index) throws IOException {
    coordinatorProcesses.get(index).close();
    coordinatorProcesses.set(index, new ChildProcesses(Duration.ofSeconds(10)));
    launchCoordinator(index, coordinators.get(index).getUri().getPort());
  }

  private void launchCoordinator(int index, int port) throws IOException {
    coordinatorProcesses
        .get(index)
        .start(
            "coordinator-" + index,
            distribution.command(
                "coordinator",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--http-port",
                "0",
                "--lease",
                "10s"),
            distribution.environment(),
            work.resolve("logs/coordinator-" + index + ".log"),
            2);
  }

  List<Location> coordinators() {
    return List.copyOf(coordinators);
  }

  /** The coordinators as the {@code --coordinator} option takes them. */
  String coordinatorOption() {
    return coordinators.stream().map(l -> l.getUri().toString()).collect(Collectors.joining(","));
  }

  List<Location> servers() {
    return List.copyOf(servers);
  }

  List<String> datasets() {
    return datasets;
  }

  /** The data dir of server {@code id} (one of {@link DemoData#SERVERS}). */
  Path serverDataDir(String id) {
    return new DemoData(work.resolve("data")).serverDir(id);
  }

  /** {@code kill -9} of data server {@code id}, waiting until the process is gone. */
  void killServer(String id) throws InterruptedException {
    for (ChildProcesses.Child child : serverProcesses.children()) {
      if (child.name().equals(id)) {
        child.process().destroyForcibly().waitFor();
      }
    }
  }

  /** {@code kill -9} of one coordinator, waiting until the process is gone. */
  void killCoordinator(int index) throws InterruptedException {
    for (ChildProcesses.Child child : coordinatorProcesses.get(index).children()) {
      child.process().destroyForcibly().waitFor();
    }
  }

  /** Fails when a process that should run has exited; {@code dead} coordinators are not checked. */
  void checkAlive(int... dead) {
    serverProcesses.checkAlive();
    outer:
    for (int i = 0; i < coordinatorProcesses.size(); i++) {
      for (int d : dead) {
        if (d == i) {
          continue outer;
        }
      }
      coordinatorProcesses.get(i).checkAlive();
    }
  }

  /** Waits until every process answers SERVING on gRPC health. */
  void awaitHealthy() {
    List<Location> all = new ArrayList<>(coordinators);
    all.addAll(servers);
    for (Location process : all) {
      await("health of " + process)
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptionsMatching(e -> !(e instanceof IllegalStateException))
          .until(
              () -> {
                checkAlive();
                return HealthCommand.check(process, "", Duration.ofSeconds(1))
                    == ServingStatus.SERVING;
              });
    }
  }

  /**
   * Waits until {@code coordinator} lists every dataset, the shared one with both servers as
   * replicas.
   */
  void awaitEveryDatasetListedWithItsReplicas(
      BufferAllocator allocator, Location coordinator, int... dead) {
    try (FlightClusterClient client =
        FlightClusterClient.builder(
                allocator, FlightTelemetry.create(OpenTelemetry.noop()), coordinator)
            .build()) {
      await(coordinator + " lists " + datasets)
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptionsMatching(e -> !(e instanceof IllegalStateException))
          .until(
              () -> {
                checkAlive(dead);
                List<FlightInfo> infos = client.list("");
                Map<String, Integer> replicas =
                    infos.stream()
                        .collect(
                            Collectors.toMap(
                                DatasetListing::name,
                                info -> DatasetListing.locations(info).size()));
                return replicas.keySet().containsAll(datasets)
                    && replicas.get("sensor_readings.parquet") == 2;
              });
    }
  }

  @Override
  public void close() {
    // Servers first, so their goodbyes still find the coordinators.
    try {
      serverProcesses.close();
    } finally {
      coordinatorProcesses.forEach(ChildProcesses::close);
    }
  }
}
