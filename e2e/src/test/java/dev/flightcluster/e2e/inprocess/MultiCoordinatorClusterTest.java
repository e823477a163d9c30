package dev.flightcluster.e2e.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.client.GetResult;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.SampleTable;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three coordinators and three servers in one JVM, every server given every coordinator: each
 * coordinator serves the same catalog, and losing one costs the others nothing.
 */
class MultiCoordinatorClusterTest {
  private static final Map<String, SampleTable> TABLES =
      Map.of(
          "orders.parquet", new SampleTable(2_000, 1),
          "sensors.parquet", new SampleTable(1_500, 2),
          "events.parquet", new SampleTable(1_000, 4),
          "shared.parquet", new SampleTable(500, 7));

  @TempDir Path root;
  private InProcessCluster cluster;
  private BufferAllocator allocator;

  private void start(InstantSource clock, Duration lease) throws Exception {
    Path one = Files.createDirectories(root.resolve("server-1"));
    Path two = Files.createDirectories(root.resolve("server-2"));
    Path three = Files.createDirectories(root.resolve("server-3"));
    writeTable(one.resolve("orders.parquet"), TABLES.get("orders.parquet"));
    writeTable(two.resolve("sensors.parquet"), TABLES.get("sensors.parquet"));
    writeTable(three.resolve("events.parquet"), TABLES.get("events.parquet"));
    writeTable(one.resolve("shared.parquet"), TABLES.get("shared.parquet"));
    Files.copy(one.resolve("shared.parquet"), three.resolve("shared.parquet"));
    allocator = new RootAllocator();
    cluster = new InProcessCluster(List.of(one, two, three), 3, clock, lease);
    for (Coordinator coordinator : cluster.coordinators()) {
      awaitListing(coordinator, TABLES.keySet());
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (allocator != null) {
      allocator.close();
    }
  }

  @Test
  void everyCoordinatorListsTheUnionWithIdenticalFlightInfos() throws Exception {
    start(null, InProcessCluster.LEASE);

    List<Map<String, String>> catalogs =
        cluster.coordinators().stream().map(this::catalog).toList();
    assertThat(catalogs.get(0)).containsOnlyKeys(TABLES.keySet());
    assertThat(catalogs).allSatisfy(catalog -> assertThat(catalog).isEqualTo(catalogs.get(0)));
    assertThat(catalogs.get(0).get("shared.parquet"))
        .contains(location(cluster.servers.get(0).port()), location(cluster.servers.get(2).port()));
  }

  @Test
  void anUploadIsListedByTheVeryNextListFlightsAtEveryCoordinator() throws Exception {
    start(null, InProcessCluster.LEASE);
    SampleTable uploaded = new SampleTable(700, 9);
    try (ArrowReader reader = uploaded.reader(allocator, 300)) {
      cluster.client.put("uploaded.parquet", reader);
    }

    for (Coordinator coordinator : cluster.coordinators()) {
      assertThat(catalog(coordinator)).containsKey("uploaded.parquet");
    }
  }

  @Test
  void serversKeepEveryOtherCoordinatorWhenOneIsClosed() throws Exception {
    // A real clock and a short lease: a server whose heartbeats to the remaining coordinators
    // stalled would be evicted there within the watch below.
    Duration lease = Duration.ofSeconds(4);
    start(InstantSource.system(), lease);
    long hellos = hellos();

    cluster.moreCoordinators.get(1).close();

    List<Coordinator> remaining = List.of(cluster.coordinator, cluster.moreCoordinators.get(0));
    await()
        .during(lease.multipliedBy(3))
        .atMost(lease.multipliedBy(5))
        .untilAsserted(
            () -> {
              for (Coordinator coordinator : remaining) {
                assertThat(catalog(coordinator)).containsOnlyKeys(TABLES.keySet());
              }
            });
    // No server was evicted and had to say hello again.
    assertThat(hellos()).isEqualTo(hellos);
    assertThat(cluster.servers)
        .allSatisfy(
            server ->
                assertThat(server.registeredWith())
                    .containsAll(
                        remaining.stream().map(c -> URI.create(location(c.port()))).toList()));
  }

  @Test
  void aClientGivenEveryCoordinatorKeepsListingAndGettingWhenOneIsClosed() throws Exception {
    start(null, InProcessCluster.LEASE);
    try (FlightClusterClient client =
        FlightClusterClient.builder(
                allocator,
                cluster.clientTelemetry.flightTelemetry(),
                cluster.coordinatorLocations())
            .build()) {
      // The first coordinator the client tries is the one that goes.
      cluster.coordinator.close();
      List<FlightInfo> infos = client.list("");
      assertThat(infos)
          .extracting(info -> info.getDescriptor().getPath().get(0))
          .containsExactlyInAnyOrderElementsOf(TABLES.keySet());
      for (FlightInfo info : infos) {
        String name = info.getDescriptor().getPath().get(0);
        GetResult result = client.get(client.info(name), BatchConsumer.of(batch -> {}));
        assertThat(result.rows()).as(name).isEqualTo(TABLES.get(name).rows());
      }
    }
  }

  @Test
  void aRestartedCoordinatorIsRebuiltByTheServers() throws Exception {
    start(null, InProcessCluster.LEASE);
    Coordinator old = cluster.moreCoordinators.get(0);
    int port = old.port();
    old.close();
    long restarted = System.nanoTime();
    Coordinator fresh = cluster.startCoordinator(port);
    cluster.moreCoordinators.set(0, fresh);

    awaitListing(fresh, TABLES.keySet());
    // A measurement for the record, not a threshold: servers heartbeat every 200 ms here.
    System.out.printf(
        "coordinator restarted on port %d had the full catalog after %d ms%n",
        port, Duration.ofNanos(System.nanoTime() - restarted).toMillis());
    assertThat(catalog(fresh)).isEqualTo(catalog(cluster.coordinator));
  }

  /** The say_hello spans the servers recorded: one per series of hellos, so one per (re)join. */
  private long hellos() {
    return cluster.serverTelemetry.spans().stream()
        .map(SpanData::getName)
        .filter("say_hello"::equals)
        .count();
  }

  /**
   * What a coordinator lists, by name: schema, size, tickets, and each endpoint's locations in
   * order (healthy first, least loaded next, then by server id: the same at every coordinator for
   * the same registry state, and no stream runs in these tests).
   */
  private Map<String, String> catalog(Coordinator coordinator) {
    try (TracedFlightClient client =
        cluster
            .clientTelemetry
            .flightTelemetry()
            .connect(allocator, Location.forGrpcInsecure("127.0.0.1", coordinator.port()))) {
      Map<String, String> catalog = new TreeMap<>();
      for (FlightInfo info : client.flightClient().listFlights(Criteria.ALL)) {
        catalog.put(info.getDescriptor().getPath().get(0), describe(info));
      }
      return catalog;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String describe(FlightInfo info) {
    StringBuilder text =
        new StringBuilder()
            .append(info.getSchemaOptional().map(Object::toString).orElse("no schema"))
            .append(" records=")
            .append(info.getRecords())
            .append(" bytes=")
            .append(info.getBytes())
            .append(" ordered=")
            .append(info.getOrdered())
            .append(" metadata=")
            .append(Arrays.toString(info.getAppMetadata()));
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      text.append(" endpoint ticket=")
          .append(Arrays.toString(endpoint.getTicket().getBytes()))
          .append(" locations=")
          .append(endpoint.getLocations().stream().map(l -> l.getUri().toString()).toList());
    }
    return text.toString();
  }

  private void awaitListing(Coordinator coordinator, Set<String> expected) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(catalog(coordinator)).containsOnlyKeys(expected));
  }

  private static String location(int port) {
    return "grpc+tcp://127.0.0.1:" + port;
  }

  private static void writeTable(Path file, SampleTable table) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 1_000)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }
}
