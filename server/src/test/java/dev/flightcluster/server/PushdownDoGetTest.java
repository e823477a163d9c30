package dev.flightcluster.server;

import static dev.flightcluster.otel.metrics.FlightMetrics.DATASET;
import static dev.flightcluster.otel.metrics.FlightMetrics.SERVER_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.protocol.ResumeToken;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.GeneratedReader;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ticket's pushdown applied by the data server's native scan (issue 13, decisions D79): the
 * projected columns in the asked order, the filter's rows with files whose partition values cannot
 * match left unopened, the limit across files, and resuming with all three.
 */
@Timeout(120)
class PushdownDoGetTest {
  private static final int BATCH_ROWS = 4;
  private static final String SERVER = "server-1";
  private static final DatasetName TRIPS = DatasetName.of("trips");
  private static final List<String> TRIP_FILES =
      List.of(
          "year=2024/month=1/part-0.parquet",
          "year=2024/month=2/part-0.parquet",
          "year=2025/month=1/part-0.parquet");
  private static final Schema TRIP_SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("name", new ArrowType.Utf8()),
              Field.nullable("fare", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));

  @TempDir Path dataDir;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private BufferAllocator serverAllocator;
  private BufferAllocator clientAllocator;
  private DataServer server;
  private TracedFlightClient client;
  private FlightClient flight;

  @BeforeEach
  void setUp() throws Exception {
    serverAllocator = new RootAllocator();
    clientAllocator = new RootAllocator();
    // 10, 13 and 7 rows: 3, 4 and 2 batches of 4.
    writeTrips(TRIP_FILES.get(0), 0, 10);
    writeTrips(TRIP_FILES.get(1), 10, 13);
    writeTrips(TRIP_FILES.get(2), 23, 7);
    server =
        DataServer.builder(serverAllocator, telemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId(SERVER)
            .batchRows(BATCH_ROWS)
            .heartbeatInterval(Duration.ofMillis(100))
            .build()
            .start();
    client =
        clientTelemetry.flightTelemetry().connect(clientAllocator, server.advertisedLocation());
    flight = client.flightClient();
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.close();
    clientAllocator.close();
    serverAllocator.close();
    telemetry.close();
    clientTelemetry.close();
  }

  @Test
  void aProjectionSendsTheAskedColumnsInTheAskedOrderPartitionColumnsIncluded() throws Exception {
    Received received = read(trips(new Pushdown(List.of("month", "fare", "id"), null, null)));

    assertThat(received.columns()).containsExactly("month", "fare", "id");
    assertThat(received.rows())
        .containsExactlyElementsOf(
            allTrips().stream().map(t -> t.month() + ":" + t.fare() + ":" + t.id()).toList());
    // The resume tokens count the files' rows as without a projection.
    assertThat(received.batches().getLast().position())
        .isEqualTo(new ResumePosition(TRIP_FILES.get(2), 7));
  }

  @Test
  void aProjectionOfPartitionColumnsAloneStillCountsEveryRow() throws Exception {
    Received received = read(trips(new Pushdown(List.of("year"), null, null)));

    assertThat(received.columns()).containsExactly("year");
    assertThat(received.rows())
        .containsExactlyElementsOf(allTrips().stream().map(t -> "" + t.year()).toList());
  }

  @Test
  void anUnknownColumnIsInvalidArgumentNamingItAndTheDatasetsColumns() {
    assertStatus(
        () -> read(trips(new Pushdown(List.of("id", "price"), null, null))),
        FlightStatusCode.INVALID_ARGUMENT,
        "dataset 'trips' has no column 'price'; its columns are [id, name, fare, year, month]");
  }

  @Test
  void aMalformedPushdownIsInvalidArgument() {
    byte[] negative =
        "{\"dataset\":\"trips\",\"pushdown\":{\"limit\":-1}}".getBytes(StandardCharsets.UTF_8);
    assertStatus(
        () -> read(new Ticket(negative)),
        FlightStatusCode.INVALID_ARGUMENT,
        "limit must be 0 or more");
  }

  @Test
  void aDictionaryColumnKeepsItsDictionaryWhenProjected() throws Exception {
    uploadColors("colors.parquet");
    DatasetName colors = DatasetName.of("colors.parquet");

    Received both = read(new DatasetTicket(colors, List.of(), null, pushdown("n", "color")));
    assertThat(both.columns()).containsExactly("n", "color");
    assertThat(both.dictionaryEncoded()).containsExactly(false, true);
    assertThat(both.rows())
        .containsExactly(
            "0:red", "1:green", "2:blue", "3:blue", "4:green", "5:red", "6:red", "7:green",
            "8:blue", "9:green");

    Received alone = read(new DatasetTicket(colors, List.of(), null, pushdown("color")));
    assertThat(alone.rows())
        .containsExactly(
            "red", "green", "blue", "blue", "green", "red", "red", "green", "blue", "green");
    // Resumed inside the projection: the rest, with the same dictionary.
    DatasetTicket ticket = new DatasetTicket(colors, List.of(), null, pushdown("color"));
    Received resumed = read(ticket.resumeAt(alone.batches().get(0).position()));
    assertThat(resumed.rows()).containsExactlyElementsOf(alone.rows().subList(4, 10));
  }

  @Test
  void aLimitStopsTheStreamAcrossFilesSlicingTheLastBatch() throws Exception {
    Received received = read(trips(new Pushdown(List.of("id"), null, 12L)));

    assertThat(received.rows())
        .containsExactlyElementsOf(allTrips().stream().limit(12).map(t -> "" + t.id()).toList());
    assertThat(received.batches())
        .extracting(Batch::position)
        .containsExactly(
            new ResumePosition(TRIP_FILES.get(0), 4),
            new ResumePosition(TRIP_FILES.get(0), 8),
            new ResumePosition(TRIP_FILES.get(0), 10),
            new ResumePosition(TRIP_FILES.get(1), 2));
    // The third file is never opened.
    assertThat(doGetSpan(span -> true).getAttributes().get(FlightAttributes.FILES_OPENED))
        .isEqualTo(2L);
  }

  @Test
  void aLimitOfZeroSendsTheSchemaAndOpensNoFile() throws Exception {
    Received received = read(trips(new Pushdown(List.of("name", "id"), null, 0L)));

    assertThat(received.columns()).containsExactly("name", "id");
    assertThat(received.rows()).isEmpty();
    assertThat(doGetSpan(span -> true).getAttributes().get(FlightAttributes.FILES_OPENED))
        .isEqualTo(0L);
  }

  @Test
  void aResumedLimitedStreamSendsTheReducedLimitFromThePosition() throws Exception {
    Pushdown first = new Pushdown(List.of("id"), null, 12L);
    Received full = read(trips(first));
    // The client received 8 rows, then resumes with the rest of its limit (decisions D79).
    Received resumed =
        read(
            trips(new Pushdown(List.of("id"), null, 12L - 8))
                .resumeAt(full.batches().get(1).position()));

    assertThat(resumed.rows()).containsExactlyElementsOf(full.rows().subList(8, 12));
    assertThat(resumed.batches()).isEqualTo(full.batches().subList(2, 4));
  }

  @Test
  void aOneColumnProjectionSendsAFractionOfTheBytes() throws Exception {
    Attributes trips = Attributes.of(DATASET, "trips", SERVER_ID, SERVER);
    Received all = read(DatasetTicket.whole(TRIPS));
    await()
        .until(
            () -> telemetry.longValue(FlightMetrics.STREAMED_BYTES, trips),
            OptionalLong.of(all.bytes())::equals);

    Received ids = read(trips(pushdown("id")));
    await()
        .until(
            () -> telemetry.longValue(FlightMetrics.STREAMED_BYTES, trips),
            OptionalLong.of(all.bytes() + ids.bytes())::equals);
    assertThat(ids.rows()).hasSize(30);
    // id is one int64 of five columns (three of them eight bytes a row, one a string).
    assertThat(ids.bytes()).isLessThan(all.bytes() / 4);
    SpanData projected =
        doGetSpan(span -> span.getAttributes().get(FlightAttributes.BYTES) == ids.bytes());
    assertThat(projected.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(30L);
  }

  @Test
  void aFilterRunsNativelyOverHivePartitionsAndLeavesUnmatchableFilesUnopened() throws Exception {
    Received received =
        read(trips(new Pushdown(List.of("id", "fare", "year"), "year = 2024 AND fare > 10", null)));

    assertThat(received.rows())
        .containsExactlyElementsOf(
            allTrips().stream()
                .filter(t -> t.year() == 2024 && t.fare() > 10)
                .map(t -> t.id() + ":" + t.fare() + ":" + t.year())
                .toList());
    SpanData doGet = doGetSpan(span -> true);
    assertThat(doGet.getAttributes().get(FlightAttributes.FILES_PRUNED)).isEqualTo(1L);
    assertThat(doGet.getAttributes().get(FlightAttributes.FILES_OPENED)).isEqualTo(2L);
  }

  @Test
  void aFilterMayUseColumnsThatAreNotProjected() throws Exception {
    Received received = read(trips(new Pushdown(List.of("name"), "fare > 10 AND month = 1", null)));

    assertThat(received.columns()).containsExactly("name");
    assertThat(received.rows())
        .containsExactlyElementsOf(
            allTrips().stream()
                .filter(t -> t.fare() > 10 && t.month() == 1)
                .map(Trip::name)
                .toList());
  }

  @Test
  void aFilteredProjectedStreamResumedAtAnyTokenIsTheTailOfTheFullStream() throws Exception {
    DatasetTicket ticket = trips(new Pushdown(List.of("fare", "id"), "fare > 5", null));
    Received full = read(ticket);
    assertThat(full.rows())
        .containsExactlyElementsOf(
            allTrips().stream()
                .filter(t -> t.fare() > 5)
                .map(t -> t.fare() + ":" + t.id())
                .toList());
    for (int k = 1; k <= full.batches().size(); k++) {
      ResumePosition after = full.batches().get(k - 1).position();
      Received resumed = read(ticket.resumeAt(after));
      assertThat(resumed.batches())
          .as("resumed after batch %d at %s", k, after)
          .isEqualTo(full.batches().subList(k, full.batches().size()));
    }
  }

  @Test
  void aFilterAndALimitSendTheFirstRowsThatPass() throws Exception {
    Received received = read(trips(new Pushdown(List.of("id"), "fare > 5", 7L)));

    assertThat(received.rows())
        .containsExactlyElementsOf(
            allTrips().stream().filter(t -> t.fare() > 5).limit(7).map(t -> "" + t.id()).toList());
  }

  @Test
  void aResumeInAFileTheFilterRulesOutStartsAtTheNextFile() throws Exception {
    DatasetTicket ticket = trips(new Pushdown(List.of("id"), "month = 2 OR year = 2025", null));
    Received received = read(ticket.resumeAt(new ResumePosition(TRIP_FILES.get(0), 0)));

    assertThat(received.rows())
        .containsExactlyElementsOf(
            allTrips().stream().filter(t -> t.id() >= 10).map(t -> "" + t.id()).toList());
    SpanData doGet = doGetSpan(span -> true);
    assertThat(doGet.getAttributes().get(FlightAttributes.FILES_PRUNED)).isEqualTo(1L);
    assertThat(doGet.getAttributes().get(FlightAttributes.FILES_OPENED)).isEqualTo(2L);
  }

  @Test
  void aFilterOnADictionaryColumnKeepsItsDictionary() throws Exception {
    uploadColors("colors.parquet");
    DatasetName colors = DatasetName.of("colors.parquet");

    Received received =
        read(
            new DatasetTicket(
                colors, List.of(), null, new Pushdown(List.of(), "color = 'green'", null)));

    assertThat(received.dictionaryEncoded()).containsExactly(true, false);
    assertThat(received.rows()).containsExactly("green:1", "green:4", "green:7", "green:9");
  }

  @Test
  void aBadFilterIsInvalidArgumentWithItsPositionBeforeAnythingIsScanned() {
    assertStatus(
        () -> read(trips(new Pushdown(List.of(), "fare > 1 AND price > 10", null))),
        FlightStatusCode.INVALID_ARGUMENT,
        "line 1, column 14");
    assertStatus(
        () -> read(trips(new Pushdown(List.of(), "price > 10", null))),
        FlightStatusCode.INVALID_ARGUMENT,
        "price");
    assertStatus(
        () -> read(trips(new Pushdown(List.of(), "fare >", null))),
        FlightStatusCode.INVALID_ARGUMENT,
        "line 1, column");
    // Refused when the call arrived: no stream started, so no scan was opened.
    await().until(() -> doGetSpans().size() == 3);
    assertThat(doGetSpans())
        .allSatisfy(
            span -> assertThat(span.getAttributes().get(FlightAttributes.FILES_OPENED)).isNull());
  }

  private static DatasetTicket trips(Pushdown pushdown) {
    return new DatasetTicket(TRIPS, List.of(), null, pushdown);
  }

  private static Pushdown pushdown(String... columns) {
    return new Pushdown(List.of(columns), null, null);
  }

  /** One row of the trips dataset. */
  private record Trip(long id, String name, double fare, long year, long month) {}

  private static double fare(long id) {
    return (id * 7) % 20 + 0.5;
  }

  /** Every row of the trips dataset, in stream order. */
  private static List<Trip> allTrips() {
    List<Trip> trips = new ArrayList<>();
    for (long id = 0; id < 30; id++) {
      long year = id < 23 ? 2024 : 2025;
      long month = id < 10 || id >= 23 ? 1 : 2;
      trips.add(new Trip(id, "name-" + id, fare(id), year, month));
    }
    return trips;
  }

  private void writeTrips(String path, long firstId, int rows) throws Exception {
    Path file = dataDir.resolve("trips").resolve(path);
    Files.createDirectories(file.getParent());
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader =
            new GeneratedReader(
                allocator,
                TRIP_SCHEMA,
                rows,
                1000,
                (root, first, count) -> {
                  BigIntVector id = (BigIntVector) root.getVector("id");
                  VarCharVector name = (VarCharVector) root.getVector("name");
                  Float8Vector fare = (Float8Vector) root.getVector("fare");
                  id.allocateNew(count);
                  name.allocateNew(count);
                  fare.allocateNew(count);
                  for (int i = 0; i < count; i++) {
                    long value = firstId + first + i;
                    id.set(i, value);
                    name.setSafe(i, ("name-" + value).getBytes(StandardCharsets.UTF_8));
                    fare.set(i, fare(value));
                  }
                  root.setRowCount(count);
                })) {
      ParquetFiles.write(allocator, reader, file);
    }
  }

  /**
   * Uploads a dataset of one batch, {@code (color dictionary-encoded, n int32)}: one row group, so
   * the color stays a dictionary.
   */
  private void uploadColors(String name) throws Exception {
    List<String> values = List.of("red", "green", "blue");
    int[] indices = {0, 1, 2, 2, 1, 0, 0, 1, 2, 1};
    DictionaryEncoding encoding = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));
    try (VarCharVector dictionary = new VarCharVector("color", clientAllocator)) {
      dictionary.allocateNew();
      for (int i = 0; i < values.size(); i++) {
        dictionary.setSafe(i, values.get(i).getBytes(StandardCharsets.UTF_8));
      }
      dictionary.setValueCount(values.size());
      var provider =
          new DictionaryProvider.MapDictionaryProvider(new Dictionary(dictionary, encoding));
      Schema schema =
          new Schema(
              List.of(
                  new Field(
                      "color", new FieldType(true, new ArrowType.Int(32, true), encoding), null),
                  Field.nullable("n", new ArrowType.Int(32, true))));
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, clientAllocator)) {
        FlightClient.ClientStreamListener put =
            flight.startPut(FlightDescriptor.path(name), root, provider, new AsyncPutListener());
        IntVector color = (IntVector) root.getVector("color");
        IntVector n = (IntVector) root.getVector("n");
        color.allocateNew(indices.length);
        n.allocateNew(indices.length);
        for (int i = 0; i < indices.length; i++) {
          color.set(i, indices[i]);
          n.set(i, i);
        }
        root.setRowCount(indices.length);
        put.putNext();
        put.completed();
        put.getResult();
      }
    }
  }

  /** One batch as received: its rows and its resume token's position. */
  private record Batch(List<String> rows, ResumePosition position) {}

  /**
   * A stream as received: its columns, which of them are dictionary-encoded, its batches, and the
   * Arrow buffer bytes of its batches (what the server counts).
   */
  private record Received(
      List<String> columns, List<Boolean> dictionaryEncoded, List<Batch> batches, long bytes) {
    List<String> rows() {
      return batches.stream().flatMap(batch -> batch.rows().stream()).toList();
    }
  }

  private Received read(DatasetTicket ticket) throws Exception {
    return read(Tickets.of(ticket));
  }

  private Received read(Ticket ticket) throws Exception {
    List<Batch> batches = new ArrayList<>();
    long bytes = 0;
    try (FlightStream stream = flight.getStream(ticket)) {
      Schema schema = stream.getSchema();
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        ArrowBuf metadata = stream.getLatestMetadata();
        byte[] token = new byte[(int) metadata.readableBytes()];
        metadata.getBytes(0, token);
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < root.getRowCount(); i++) {
          StringBuilder row = new StringBuilder();
          for (int c = 0; c < root.getFieldVectors().size(); c++) {
            row.append(c == 0 ? "" : ":").append(value(stream, root.getVector(c), i));
          }
          rows.add(row.toString());
        }
        for (FieldVector vector : root.getFieldVectors()) {
          bytes += vector.getBufferSize();
        }
        batches.add(new Batch(rows, ResumeToken.fromAppMetadata(token).position()));
      }
      return new Received(
          schema.getFields().stream().map(Field::getName).toList(),
          schema.getFields().stream().map(field -> field.getDictionary() != null).toList(),
          batches,
          bytes);
    }
  }

  private static Object value(FlightStream stream, FieldVector vector, int row) {
    DictionaryEncoding encoding = vector.getField().getDictionary();
    if (encoding == null || vector.isNull(row)) {
      return vector.getObject(row);
    }
    Dictionary dictionary = stream.getDictionaryProvider().lookup(encoding.getId());
    return dictionary.getVector().getObject((int) ((BaseIntVector) vector).getValueAsLong(row));
  }

  private SpanData doGetSpan(Predicate<SpanData> which) {
    await().until(() -> doGetSpans().stream().anyMatch(which));
    return doGetSpans().stream().filter(which).findFirst().orElseThrow();
  }

  private List<SpanData> doGetSpans() {
    return telemetry.spans().stream()
        .filter(span -> span.getKind() == SpanKind.SERVER)
        .filter(span -> span.getName().equals("arrow.flight.protocol.FlightService/DoGet"))
        .toList();
  }

  private static void assertStatus(ThrowingCallable call, FlightStatusCode code, String mentioned) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(code);
              assertThat(e.status().description()).contains(mentioned);
            });
  }
}
