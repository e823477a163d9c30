package dev.flightcluster.e2e.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.client.GetResult;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.ConflictReport;
import dev.flightcluster.protocol.DatasetConflict;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.SampleTable;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One dataset across several servers (decisions D58 to D61): its files merged into shards, one
 * endpoint per group of shards at every coordinator, a parallel read that returns exactly the rows
 * of every file, a conflicting file that keeps a dataset from being served, and a stream that
 * resumes at another replica when its server closes mid-read.
 */
class ShardedDatasetClusterTest {
  /** Six files with their own seeds, so a row's value tells which file it came from. */
  private static final Map<String, SampleTable> FILES = new HashMap<>();

  static {
    for (int i = 1; i <= 6; i++) {
      FILES.put("f" + i + ".parquet", new SampleTable(1_000L * i, i));
    }
  }

  private static final AttributeKey<String> LOCATION = AttributeKey.stringKey("flight.location");
  private static final AttributeKey<Long> RESUME_ROW = AttributeKey.longKey("flight.resume.row");

  @TempDir Path root;
  private InProcessCluster cluster;
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void stop() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      allocator.close();
    }
  }

  /** server-1: f1 f2; server-2: f3 f4 f6; server-3: f5 f6 (f6 on two servers). */
  private void startSixFilesOverThreeServers() throws Exception {
    List<Path> dirs = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      dirs.add(Files.createDirectories(root.resolve("server-" + i).resolve("trips")).getParent());
    }
    write(dirs.get(0), "f1.parquet", "f2.parquet");
    write(dirs.get(1), "f3.parquet", "f4.parquet", "f6.parquet");
    write(dirs.get(2), "f5.parquet", "f6.parquet");
    cluster = new InProcessCluster(dirs, 2, null, InProcessCluster.LEASE);
    for (Coordinator coordinator : cluster.coordinators()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(rowsListed(coordinator, "trips")).isEqualTo(21_000));
    }
  }

  @Test
  void everyCoordinatorPlansOneEndpointPerGroupOfShards() throws Exception {
    startSixFilesOverThreeServers();

    List<FlightInfo> infos = new ArrayList<>();
    for (Coordinator coordinator : cluster.coordinators()) {
      infos.add(infoAt(coordinator, "trips"));
    }

    FlightInfo info = infos.get(0);
    assertThat(infos)
        .as("identical at every coordinator")
        .allSatisfy(other -> assertThat(other).isEqualTo(info));
    // Small files of the same holders share an endpoint; f6 is on server-2 and server-3.
    Map<List<String>, List<String>> endpoints = new HashMap<>();
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      endpoints.put(Tickets.decode(endpoint.getTicket()).files(), serverIds(endpoint));
    }
    assertThat(endpoints)
        .containsOnly(
            Map.entry(List.of("f1.parquet", "f2.parquet"), List.of("server-1")),
            Map.entry(List.of("f3.parquet", "f4.parquet"), List.of("server-2")),
            Map.entry(List.of("f5.parquet"), List.of("server-3")),
            Map.entry(List.of("f6.parquet"), List.of("server-2", "server-3")));
    assertThat(info.getRecords()).isEqualTo(21_000);
    assertThat(info.getOrdered()).isFalse();
  }

  @Test
  void aParallelReadReturnsExactlyTheRowsOfEveryFile() throws Exception {
    startSixFilesOverThreeServers();
    FlightInfo info = cluster.client.info("trips");
    Map<Integer, BitSet> seen = new HashMap<>();
    AtomicLong duplicates = new AtomicLong();

    GetResult result =
        cluster.client.get(
            info,
            BatchConsumer.of(
                batch -> {
                  BigIntVector ids = (BigIntVector) batch.getVector("id");
                  Float8Vector values = (Float8Vector) batch.getVector("value");
                  for (int i = 0; i < batch.getRowCount(); i++) {
                    long id = ids.get(i);
                    int seed = (int) Math.round(values.get(i) - id * 0.25);
                    FILES.get("f" + seed + ".parquet").verifyRow(batch, i);
                    BitSet rows = seen.computeIfAbsent(seed, s -> new BitSet());
                    if (rows.get((int) id)) {
                      duplicates.incrementAndGet();
                    }
                    rows.set((int) id);
                  }
                }));

    assertThat(duplicates.get()).as("rows read twice").isZero();
    for (int seed = 1; seed <= 6; seed++) {
      assertThat(seen.get(seed).cardinality()).as("rows of f%d", seed).isEqualTo(1_000 * seed);
    }
    assertThat(result.rows()).isEqualTo(21_000);
    assertThat(result.locationsUsed()).hasSize(4);
    await()
        .untilAsserted(
            () ->
                assertThat(
                        cluster.clientTelemetry.spans().stream()
                            .filter(s -> s.getName().equals("do_get")))
                    .as("one do_get per endpoint")
                    .hasSize(4));
  }

  @Test
  void aFileWithOtherContentOnAnotherServerIsReportedAndTheDatasetIsNotServed() throws Exception {
    Path one = Files.createDirectories(root.resolve("server-1").resolve("clash")).getParent();
    Path two = Files.createDirectories(root.resolve("server-2").resolve("clash")).getParent();
    writeTable(one.resolve("clash").resolve("a.parquet"), new SampleTable(100, 1));
    writeTable(two.resolve("clash").resolve("a.parquet"), new SampleTable(100, 2));
    writeTable(two.resolve("clash").resolve("b.parquet"), new SampleTable(100, 3));
    writeTable(one.resolve("other.parquet"), new SampleTable(10, 4));
    cluster = new InProcessCluster(List.of(one, two), 1, null, InProcessCluster.LEASE);

    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(conflicts(cluster.coordinator))
                    .singleElement()
                    .satisfies(
                        conflict -> {
                          assertThat(conflict.dataset()).isEqualTo("clash");
                          assertThat(conflict.servingFingerprint()).isEmpty();
                          assertThat(conflict.reason()).contains("a.parquet");
                          assertThat(conflict.variants())
                              .extracting(DatasetConflict.Variant::serverIds)
                              .containsExactlyInAnyOrder(List.of("server-1"), List.of("server-2"));
                        }));
    assertThat(cluster.client.list(""))
        .extracting(info -> info.getDescriptor().getPath().get(0))
        .containsExactly("other.parquet");
    assertThatThrownBy(() -> cluster.client.info("clash"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
              assertThat(e.status().description())
                  .contains("conflicting")
                  .contains("list_conflicts");
            });
  }

  @Test
  void aStreamWhoseServerClosesResumesAtTheOtherReplicaWithEveryRowOnce() throws Exception {
    SampleTable table = new SampleTable(200_000, 5);
    Path one = Files.createDirectories(root.resolve("server-1"));
    Path two = Files.createDirectories(root.resolve("server-2"));
    writeTable(one.resolve("big.parquet"), table);
    Files.copy(one.resolve("big.parquet"), two.resolve("big.parquet"));
    cluster =
        new InProcessCluster(List.of(one, two), 1, null, InProcessCluster.LEASE, Duration.ZERO);
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(
                        infoAt(cluster.coordinator, "big.parquet")
                            .getEndpoints()
                            .get(0)
                            .getLocations())
                    .hasSize(2));
    FlightInfo info = cluster.client.info("big.parquet");
    Location first = info.getEndpoints().get(0).getLocations().get(0);
    DataServer reading =
        cluster.servers.stream()
            .filter(s -> s.port() == first.getUri().getPort())
            .findFirst()
            .orElseThrow();
    Location other = info.getEndpoints().get(0).getLocations().get(1);
    BitSet seen = new BitSet();
    AtomicLong duplicates = new AtomicLong();
    CompletableFuture<Void> closing = new CompletableFuture<>();

    GetResult result =
        cluster.client.get(
            info,
            BatchConsumer.of(
                batch -> {
                  collect(table, batch, seen, duplicates);
                  if (seen.cardinality() >= 20_000 && !closing.isDone()) {
                    // The server goes away while its stream is mid-way and this consumer holds it.
                    CompletableFuture.runAsync(reading::close)
                        .whenComplete((ok, e) -> closing.complete(null));
                    closing.orTimeout(60, TimeUnit.SECONDS).join();
                  }
                }));

    assertThat(closing).isDone();
    assertThat(duplicates.get()).as("rows delivered twice").isZero();
    assertThat(seen.cardinality()).isEqualTo(200_000);
    assertThat(result.rows()).isEqualTo(200_000);
    assertThat(result.locationsUsed()).containsExactly(other);
    await()
        .untilAsserted(
            () -> {
              List<SpanData> doGets =
                  cluster.clientTelemetry.spans().stream()
                      .filter(s -> s.getName().equals("do_get"))
                      .toList();
              assertThat(doGets).hasSize(2);
              assertThat(doGets)
                  .anySatisfy(
                      span -> {
                        assertThat(span.getAttributes().get(LOCATION))
                            .isEqualTo(other.getUri().toString());
                        assertThat(span.getAttributes().get(RESUME_ROW))
                            .isGreaterThanOrEqualTo(20_000L);
                      });
            });
  }

  private static void collect(
      SampleTable table, VectorSchemaRoot batch, BitSet seen, AtomicLong duplicates) {
    for (int i = 0; i < batch.getRowCount(); i++) {
      int id = (int) table.verifyRow(batch, i);
      if (seen.get(id)) {
        duplicates.incrementAndGet();
      }
      seen.set(id);
    }
  }

  private List<String> serverIds(FlightEndpoint endpoint) {
    List<String> ids = new ArrayList<>();
    for (Location location : endpoint.getLocations()) {
      for (DataServer server : cluster.servers) {
        if (server.port() == location.getUri().getPort()) {
          ids.add(server.serverId());
        }
      }
    }
    return ids.stream().sorted().toList();
  }

  private long rowsListed(Coordinator coordinator, String name) throws Exception {
    return infoAt(coordinator, name).getRecords();
  }

  private FlightInfo infoAt(Coordinator coordinator, String name) throws Exception {
    try (TracedFlightClient client = connect(coordinator)) {
      return client.flightClient().getInfo(Descriptors.of(DatasetName.of(name)));
    }
  }

  private List<DatasetConflict> conflicts(Coordinator coordinator) throws Exception {
    try (TracedFlightClient client = connect(coordinator)) {
      List<Result> results = new ArrayList<>();
      client
          .flightClient()
          .doAction(new Action(ClusterActions.LIST_CONFLICTS))
          .forEachRemaining(results::add);
      return Messages.decode(results.get(0).getBody(), ConflictReport.class).conflicts();
    }
  }

  private TracedFlightClient connect(Coordinator coordinator) throws InterruptedException {
    return cluster
        .clientTelemetry
        .flightTelemetry()
        .connect(allocator, Location.forGrpcInsecure("127.0.0.1", coordinator.port()));
  }

  private static void write(Path dataDir, String... files) throws Exception {
    for (String file : files) {
      writeTable(dataDir.resolve("trips").resolve(file), FILES.get(file));
    }
  }

  private static void writeTable(Path file, SampleTable table) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 10_000)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }
}
