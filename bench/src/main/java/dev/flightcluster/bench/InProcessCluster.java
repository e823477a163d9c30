package dev.flightcluster.bench;

import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.server.DataServer;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;

/**
 * A coordinator, one data server per data dir and a client, untraced, on 127.0.0.1, in this JVM:
 * the cluster the in-process benches measure. Closing it closes all of them and its allocator.
 */
public final class InProcessCluster implements AutoCloseable {
  private final BufferAllocator allocator = new RootAllocator();
  private final FlightTelemetry telemetry = FlightTelemetry.create(OpenTelemetry.noop());
  private final Coordinator coordinator;
  private final List<DataServer> servers = new ArrayList<>();
  private final FlightClusterClient client;

  /** Starts the cluster; data server {@code i} (from 1) serves {@code dataDirs.get(i - 1)}. */
  public InProcessCluster(List<Path> dataDirs) throws Exception {
    coordinator =
        Coordinator.builder(allocator, telemetry)
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .heartbeatInterval(Duration.ofMillis(200))
            .build()
            .start();
    Location at = Location.forGrpcInsecure("127.0.0.1", coordinator.port());
    for (int i = 0; i < dataDirs.size(); i++) {
      servers.add(
          DataServer.builder(allocator, telemetry)
              .location(Location.forGrpcInsecure("127.0.0.1", 0))
              .advertisedLocation(Location.forGrpcInsecure("127.0.0.1", 0))
              .dataDir(dataDirs.get(i))
              .serverId("server-" + (i + 1))
              .coordinators(List.of(at))
              .heartbeatInterval(Duration.ofMillis(200))
              .drainTimeout(Duration.ZERO)
              .build()
              .start());
    }
    client = FlightClusterClient.builder(allocator, telemetry, at).build();
  }

  /** The client, connected to the coordinator. */
  public FlightClusterClient client() {
    return client;
  }

  /** The coordinator's port on 127.0.0.1. */
  public int coordinatorPort() {
    return coordinator.port();
  }

  /** Polls the coordinator until it lists {@code name} with {@code rows} rows; 60 s at most. */
  public FlightInfo awaitDataset(String name, long rows) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        FlightInfo info = client.info(name);
        if (info.getRecords() == rows) {
          return info;
        }
      } catch (RuntimeException e) {
        // not listed yet
      }
      Thread.sleep(100); // polling a cluster that is starting; not a test
    }
    throw new IllegalStateException(
        "dataset " + name + " was not listed with " + rows + " rows within 60 s");
  }

  /** The data server listening at {@code location}. */
  public DataServer serverAt(Location location) {
    return servers.stream()
        .filter(s -> s.port() == location.getUri().getPort())
        .findFirst()
        .orElseThrow();
  }

  @Override
  public void close() throws Exception {
    List<AutoCloseable> all = new ArrayList<>();
    all.add(client);
    all.addAll(servers);
    all.add(coordinator);
    all.add(allocator);
    AutoCloseables.close(all);
  }
}
