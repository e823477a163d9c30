package dev.flightcluster.e2e.inprocess;

import static dev.flightcluster.otel.metrics.FlightMetrics.DATASET;
import static dev.flightcluster.otel.metrics.FlightMetrics.SERVER_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.client.GetResult;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.protocol.QueryCommand;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.SampleTable;
import io.opentelemetry.api.common.Attributes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushdown through the whole cluster (decisions D81): a hive-partitioned dataset whose 2023 files
 * are on server-1 and 2024 files on server-2, read through the JSON CMD descriptor. A filter on the
 * partition column asks only the server that can match, the rows are exactly those the filter
 * keeps, a projection moves a fraction of the bytes, a limit holds across endpoints, and a bad
 * filter is refused at GetFlightInfo before anything is scanned.
 */
class PushdownClusterTest {
  private static final String TRIPS = "trips";
  private static final long ROWS_PER_FILE = 5_000;

  /** Seeds by file: the seed of a row is {@code value - id * 0.25}, so a row tells its file. */
  private static final Map<String, Integer> SEEDS =
      Map.of(
          "year=2023/part-0.parquet", 1,
          "year=2023/part-1.parquet", 2,
          "year=2024/part-0.parquet", 3,
          "year=2024/part-1.parquet", 4);

  @TempDir Path root;
  private InProcessCluster cluster;
  private final BufferAllocator allocator = new RootAllocator();

  @BeforeEach
  void start() throws Exception {
    Path one = Files.createDirectories(root.resolve("server-1"));
    Path two = Files.createDirectories(root.resolve("server-2"));
    for (var file : SEEDS.entrySet()) {
      Path dir = file.getKey().startsWith("year=2023") ? one : two;
      writeTable(
          dir.resolve(TRIPS).resolve(file.getKey()),
          new SampleTable(ROWS_PER_FILE, file.getValue()));
    }
    cluster = new InProcessCluster(List.of(one, two));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(cluster.client.info(TRIPS).getRecords()).isEqualTo(4 * ROWS_PER_FILE));
  }

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

  @Test
  void aFilterOnThePartitionColumnAsksOnlyTheServerThatCanMatch() {
    Pushdown pushdown =
        new Pushdown(List.of("id", "value"), "\"year\" = 2024 AND city = 'Oslo'", null);

    FlightInfo info = cluster.client.info(TRIPS, pushdown);

    assertThat(info.getEndpoints()).as("server-1's endpoint is not planned").hasSize(1);
    assertThat(serverIds(info.getEndpoints().get(0))).containsExactly("server-2");
    assertThat(info.getSchema().getFields())
        .extracting(Field::getName)
        .containsExactly("id", "value");
    assertThat(info.getRecords()).isEqualTo(-1);

    List<String> rows = new ArrayList<>();
    GetResult result =
        cluster.client.get(info, BatchConsumer.of(batch -> rows.addAll(rowsOf(batch))));

    List<String> expected = new ArrayList<>();
    for (int seed : List.of(3, 4)) {
      SampleTable table = new SampleTable(ROWS_PER_FILE, seed);
      for (long id = 0; id < ROWS_PER_FILE; id++) {
        if (table.city(id).equals("Oslo")) {
          expected.add(seed + ":" + id);
        }
      }
    }
    assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(result.rows()).isEqualTo(expected.size());
    assertThat(result.complete()).isTrue();
    await()
        .untilAsserted(
            () -> {
              assertThat(streamed(FlightMetrics.STREAMED_ROWS, "server-1"))
                  .as("server-1 was not asked")
                  .isZero();
              assertThat(streamed(FlightMetrics.STREAMED_ROWS, "server-2"))
                  .as("server-2 sent only the matching rows")
                  .isEqualTo(expected.size());
            });
  }

  @Test
  void aProjectionOfOneColumnMovesAFractionOfTheBytes() {
    GetResult full = cluster.client.get(cluster.client.info(TRIPS), BatchConsumer.of(b -> {}));
    long fullBytes = awaitStreamedBytes(0);

    GetResult projected =
        cluster.client.get(
            cluster.client.info(TRIPS, new Pushdown(List.of("id"), null, null)),
            BatchConsumer.of(
                batch ->
                    assertThat(batch.getSchema().getFields())
                        .extracting(Field::getName)
                        .containsExactly("id")));
    long projectedBytes = awaitStreamedBytes(fullBytes) - fullBytes;

    assertThat(projected.rows()).isEqualTo(full.rows()).isEqualTo(4 * ROWS_PER_FILE);
    // id is one int64 of five columns (id, city, value, ts and the partition column year).
    assertThat(projectedBytes)
        .as("bytes the data servers sent for one column, against %d for all", fullBytes)
        .isPositive()
        .isLessThan(fullBytes / 3);
    assertThat(projected.bytes()).isLessThan(full.bytes() / 3);
  }

  @Test
  void aLimitHoldsAcrossEndpointsAndWithAFilter() {
    GetResult limited =
        cluster.client.get(
            cluster.client.info(TRIPS, new Pushdown(List.of(), null, 7_000L)),
            BatchConsumer.of(batch -> {}));

    assertThat(limited.rows()).isEqualTo(7_000);
    assertThat(limited.complete()).isTrue();

    List<String> rows = new ArrayList<>();
    GetResult filtered =
        cluster.client.get(
            cluster.client.info(
                TRIPS, new Pushdown(List.of("id", "value"), "\"year\" = 2023 AND id >= 100", 10L)),
            BatchConsumer.of(batch -> rows.addAll(rowsOf(batch))));

    assertThat(filtered.rows()).isEqualTo(10);
    assertThat(rows)
        .hasSize(10)
        .allSatisfy(
            row -> {
              assertThat(row).matches("[12]:\\d+");
              assertThat(Long.parseLong(row.substring(2))).isGreaterThanOrEqualTo(100);
            });
  }

  @Test
  void aBadFilterIsInvalidArgumentWithItsPositionAtGetFlightInfo() {
    assertThatThrownBy(
            () -> cluster.client.info(TRIPS, new Pushdown(List.of(), "\"year\" = 2024 AND", null)))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.status().description()).containsIgnoringCase("column");
            });
    assertThatThrownBy(() -> cluster.client.info(TRIPS, new Pushdown(List.of(), "fare > 10", null)))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.status().description()).contains("fare");
            });
    assertThatThrownBy(
            () -> cluster.client.info(TRIPS, new Pushdown(List.of("id", "tip"), null, null)))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.status().description()).contains("'tip'");
            });
    assertThat(streamed(FlightMetrics.STREAMED_ROWS, "server-1")).isZero();
    assertThat(streamed(FlightMetrics.STREAMED_ROWS, "server-2")).isZero();
  }

  @Test
  void getSchemaOfAQueryIsTheProjectedSchemaAndOtherCommandsAreUnimplemented() throws Exception {
    QueryCommand query =
        QueryCommand.of(DatasetName.of(TRIPS), new Pushdown(List.of("ts", "city"), null, null));
    try (TracedFlightClient client =
        cluster
            .clientTelemetry
            .flightTelemetry()
            .connect(allocator, cluster.coordinatorLocation())) {
      assertThat(client.flightClient().getSchema(query.toDescriptor()).getSchema().getFields())
          .extracting(Field::getName)
          .containsExactly("ts", "city");
      assertThatThrownBy(
              () ->
                  client
                      .flightClient()
                      .getInfo(
                          FlightDescriptor.command("SELECT 1".getBytes(StandardCharsets.UTF_8))))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED));
    }
  }

  /** Each row as {@code seed:id}. */
  private static List<String> rowsOf(VectorSchemaRoot batch) {
    BigIntVector ids = (BigIntVector) batch.getVector("id");
    Float8Vector values = (Float8Vector) batch.getVector("value");
    List<String> rows = new ArrayList<>(batch.getRowCount());
    for (int i = 0; i < batch.getRowCount(); i++) {
      long id = ids.get(i);
      rows.add(Math.round(values.get(i) - id * 0.25) + ":" + id);
    }
    return rows;
  }

  /** What the data servers have sent in all, once it has grown past {@code before}. */
  private long awaitStreamedBytes(long before) {
    return await()
        .until(
            () ->
                streamed(FlightMetrics.STREAMED_BYTES, "server-1")
                    + streamed(FlightMetrics.STREAMED_BYTES, "server-2"),
            bytes -> bytes > before);
  }

  private long streamed(String metric, String serverId) {
    return cluster
        .serverTelemetry
        .longValue(metric, Attributes.of(DATASET, TRIPS, SERVER_ID, serverId))
        .orElse(0);
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
    return ids;
  }

  private static void writeTable(Path file, SampleTable table) throws Exception {
    Files.createDirectories(file.getParent());
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 1_000)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }
}
