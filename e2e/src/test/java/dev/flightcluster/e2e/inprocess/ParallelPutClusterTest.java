package dev.flightcluster.e2e.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.client.GetResult;
import dev.flightcluster.client.ParallelPutOptions;
import dev.flightcluster.client.ParallelPutResult;
import dev.flightcluster.client.ProgressListener;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.PutParts;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.testing.GeneratedReader;
import dev.flightcluster.testing.SampleTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallel puts with replication over three servers and two coordinators in one JVM (D63..D66):
 * every shard lands on its replicas, the dataset reads back exactly, and a put that fails leaves
 * nothing listed at any coordinator, ever.
 */
class ParallelPutClusterTest {
  private static final long SHARD_BYTES = 8L << 20;

  @TempDir Path root;
  private final List<Path> dataDirs = new ArrayList<>();
  private InProcessCluster cluster;
  private BufferAllocator allocator;

  @BeforeEach
  void start() throws Exception {
    for (int i = 1; i <= 3; i++) {
      dataDirs.add(Files.createDirectories(root.resolve("server-" + i)));
    }
    allocator = new RootAllocator();
    cluster = new InProcessCluster(dataDirs, 2, null, InProcessCluster.LEASE);
    await().atMost(Duration.ofSeconds(30)).until(this::registered);
    // A coordinator that has listed every server it heard from is warm and may plan.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cluster.coordinators().stream().allMatch(Coordinator::isWarm));
  }

  private boolean registered() {
    return cluster.servers.stream().allMatch(server -> server.registeredWith().size() == 2);
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    allocator.close();
  }

  private ParallelPutResult put(String name, ArrowReader source, ParallelPutOptions options)
      throws IOException {
    return cluster.client.putDataset(name, source, options, ProgressListener.none());
  }

  private static ParallelPutOptions twoReplicas() {
    return ParallelPutOptions.defaults().withReplicas(2).withShardBytes(SHARD_BYTES);
  }

  @Test
  void aMillionRowsPutWithTwoReplicasIsOnTwoServersPerShardAndReadsBackExactly() throws Exception {
    SampleTable table = new SampleTable(1_000_000, 3);
    ParallelPutResult result;
    try (ArrowReader reader = table.reader(allocator, 16_384)) {
      result = put("trips", reader, twoReplicas());
    }

    assertThat(result.rows()).isEqualTo(table.rows());
    assertThat(result.shards()).isGreaterThan(1);
    assertThat(result.servers()).hasSize(3);
    Map<Integer, List<String>> onDisk = partsOnDisk("trips");
    assertThat(onDisk).hasSize(result.shards());
    for (int shard = 0; shard < result.shards(); shard++) {
      assertThat(onDisk.get(shard))
          .as("shard %d", shard)
          .hasSize(2)
          .containsExactlyInAnyOrderElementsOf(result.placements().get(shard));
      assertThat(dataDirs.get(0).resolve("trips")).isDirectory();
    }
    for (Coordinator coordinator : cluster.coordinators()) {
      assertThat(listing(coordinator)).containsEntry("trips", table.rows());
    }

    BitSet seen = new BitSet();
    List<String> duplicates = new ArrayList<>();
    GetResult read =
        cluster.client.get(
            cluster.client.info("trips"),
            BatchConsumer.of(
                batch -> {
                  synchronized (seen) {
                    for (int i = 0; i < batch.getRowCount(); i++) {
                      int id = (int) table.verifyRow(batch, i);
                      if (seen.get(id)) {
                        duplicates.add(Integer.toString(id));
                      }
                      seen.set(id);
                    }
                  }
                }));
    assertThat(read.rows()).isEqualTo(table.rows());
    assertThat(duplicates).isEmpty();
    assertThat(seen.cardinality()).isEqualTo((int) table.rows());
  }

  @Test
  void aServerClosedDuringThePutFailsItCleanlyAndNothingIsEverListed() throws Exception {
    SampleTable table = new SampleTable(400_000, 5);
    DataServer victim = cluster.servers.get(2);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    ConcurrentLinkedQueue<String> seenListed = new ConcurrentLinkedQueue<>();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(
        () -> {
          for (Coordinator coordinator : cluster.coordinators()) {
            try {
              if (listing(coordinator).containsKey("trips")) {
                seenListed.add("coordinator " + coordinator.port());
              }
            } catch (RuntimeException closing) {
              // The cluster is stopping.
            }
          }
        },
        0,
        20,
        TimeUnit.MILLISECONDS);
    int batchRows = 8_192;
    // After a few batches the third server starts closing: it refuses new calls (more shards, the
    // commit) at once, while the uploads it has drain.
    ArrowReader source =
        new GeneratedReader(
            allocator,
            SampleTable.SCHEMA,
            table.rows(),
            batchRows,
            (batch, first, count) -> {
              if (first == 10L * batchRows) {
                CompletableFuture.runAsync(
                    () -> {
                      try {
                        victim.close();
                        closed.complete(null);
                      } catch (Exception e) {
                        closed.completeExceptionally(e);
                      }
                    });
              }
              table.fill(batch, first, count);
            });
    FlightRuntimeException failure;
    try (source) {
      failure =
          catchThrowableOfType(
              FlightRuntimeException.class, () -> put("trips", source, twoReplicas()));
    }

    try {
      assertThat(failure).as("the put should fail").isNotNull();
      assertThat(failure.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
      assertThat(failure.status().description())
          .contains("put of 'trips' failed")
          .contains("server-3")
          .contains("nothing of the put is kept");
      // The live servers deleted what they staged or committed.
      assertThat(dataDirs.get(0).resolve("trips")).doesNotExist();
      assertThat(dataDirs.get(1).resolve("trips")).doesNotExist();
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                for (Coordinator coordinator : cluster.coordinators()) {
                  assertThat(listing(coordinator)).doesNotContainKey("trips");
                }
              });
    } finally {
      watcher.shutdownNow();
      watcher.awaitTermination(10, TimeUnit.SECONDS);
    }
    assertThat(seenListed).isEmpty();
    closed.join();
  }

  @Test
  void appendAddsShardsOfTheSameSchemaAndRefusesAnotherNamingTheDifference() throws Exception {
    SampleTable first = new SampleTable(20_000, 1);
    SampleTable second = new SampleTable(10_000, 2);
    try (ArrowReader reader = first.reader(allocator, 4_096)) {
      put("events", reader, ParallelPutOptions.defaults());
    }
    try (ArrowReader reader = second.reader(allocator, 4_096)) {
      put("events", reader, ParallelPutOptions.defaults().withAppend(true).withReplicas(2));
    }
    for (Coordinator coordinator : cluster.coordinators()) {
      assertThat(listing(coordinator)).containsEntry("events", 30_000L);
    }

    try (ArrowReader reader = second.reader(allocator, 4_096)) {
      FlightRuntimeException exists =
          catchThrowableOfType(
              FlightRuntimeException.class,
              () -> put("events", reader, ParallelPutOptions.defaults()));
      assertThat(exists.status().code()).isEqualTo(FlightStatusCode.ALREADY_EXISTS);
    }
    Schema other = new Schema(List.of(Field.nullable("id", ArrowType.Utf8.INSTANCE)));
    try (ArrowReader reader =
        new GeneratedReader(
            allocator,
            other,
            10,
            10,
            (batch, f, count) -> {
              var id = (org.apache.arrow.vector.VarCharVector) batch.getVector("id");
              id.allocateNew();
              for (int i = 0; i < count; i++) {
                id.setSafe(i, ("x" + i).getBytes());
              }
              batch.setRowCount(count);
            })) {
      FlightRuntimeException differs =
          catchThrowableOfType(
              FlightRuntimeException.class,
              () -> put("events", reader, ParallelPutOptions.defaults().withAppend(true)));
      assertThat(differs.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
      assertThat(differs.status().description()).contains("schema differs").contains("id");
    }
    try (ArrowReader reader = second.reader(allocator, 4_096)) {
      FlightRuntimeException missing =
          catchThrowableOfType(
              FlightRuntimeException.class,
              () -> put("nothing", reader, ParallelPutOptions.defaults().withAppend(true)));
      assertThat(missing.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
    }
    for (Coordinator coordinator : cluster.coordinators()) {
      assertThat(listing(coordinator))
          .containsEntry("events", 30_000L)
          .doesNotContainKey("nothing");
    }
  }

  @Test
  void moreReplicasThanLiveServersIsResourceExhaustedAndWritesNothing() throws Exception {
    try (ArrowReader reader = new SampleTable(1_000, 1).reader(allocator, 500)) {
      FlightRuntimeException failure =
          catchThrowableOfType(
              FlightRuntimeException.class,
              () -> put("trips", reader, ParallelPutOptions.defaults().withReplicas(4)));
      assertThat(failure.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
      assertThat(failure.status().description()).contains("4 replicas").contains("only 3");
    }
    for (Path dir : dataDirs) {
      assertThat(dir.resolve("trips")).doesNotExist();
    }
  }

  /** Where each committed part of a dataset lies on disk: shard index to server ids. */
  private Map<Integer, List<String>> partsOnDisk(String name) throws IOException {
    Map<Integer, List<String>> parts = new TreeMap<>();
    for (int i = 0; i < dataDirs.size(); i++) {
      Path folder = dataDirs.get(i).resolve(name);
      if (!Files.isDirectory(folder)) {
        continue;
      }
      try (Stream<Path> files = Files.list(folder)) {
        for (Path file : files.toList()) {
          int server = i + 1;
          PutParts.committed(file.getFileName().toString())
              .ifPresent(
                  part ->
                      parts
                          .computeIfAbsent(part.index(), index -> new ArrayList<>())
                          .add("server-" + server));
        }
      }
    }
    return parts;
  }

  /** Dataset name to total records, as a coordinator lists them. */
  private Map<String, Long> listing(Coordinator coordinator) {
    try (TracedFlightClient client =
        cluster
            .clientTelemetry
            .flightTelemetry()
            .connect(allocator, Location.forGrpcInsecure("127.0.0.1", coordinator.port()))) {
      Map<String, Long> listed = new TreeMap<>();
      for (FlightInfo info : client.flightClient().listFlights(Criteria.ALL)) {
        listed.put(info.getDescriptor().getPath().get(0), info.getRecords());
      }
      return listed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
