package dev.flightcluster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.server.store.DatasetStore;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.IntervalUnit;
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

class DataServerTest {
  @TempDir Path dataDir;
  @TempDir Path outside;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private BufferAllocator serverAllocator;
  private BufferAllocator clientAllocator;
  private DataServer server;
  private TracedFlightClient client;

  @BeforeEach
  void setUp() {
    serverAllocator = new RootAllocator();
    clientAllocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    clientAllocator.close();
    serverAllocator.close();
    telemetry.close();
    clientTelemetry.close();
  }

  private FlightClient start(int batchRows) throws Exception {
    return start(batchRows, builder -> builder);
  }

  /** Starts the server with the test defaults, then whatever {@code configure} sets on top. */
  private FlightClient start(int batchRows, UnaryOperator<DataServer.Builder> configure)
      throws Exception {
    DataServer.Builder builder =
        DataServer.builder(serverAllocator, telemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-1")
            .batchRows(batchRows)
            .heartbeatInterval(Duration.ofMillis(100));
    server = configure.apply(builder).build().start();
    client =
        clientTelemetry.flightTelemetry().connect(clientAllocator, server.advertisedLocation());
    return client.flightClient();
  }

  private static List<String> names(FlightClient flight) {
    List<String> names = new ArrayList<>();
    flight
        .listFlights(Criteria.ALL)
        .forEach(info -> names.add(info.getDescriptor().getPath().get(0)));
    return names;
  }

  private static List<String> readAll(FlightClient flight, String name, List<Integer> batchSizes)
      throws Exception {
    List<String> rows = new ArrayList<>();
    try (FlightStream stream =
        flight.getStream(new Ticket(name.getBytes(StandardCharsets.UTF_8)))) {
      while (stream.next()) {
        batchSizes.add(stream.getRoot().getRowCount());
        rows.addAll(TestData.rows(stream.getRoot()));
      }
    }
    return rows;
  }

  @Test
  void listsEveryDatasetWithItsEndpointAndFingerprint() throws Exception {
    Path sales = TestData.write(dataDir.resolve("sales.parquet"), 0, 10);
    TestData.write(dataDir.resolve("trips/year=2024/part-0.parquet"), 0, 4);
    TestData.write(dataDir.resolve("trips/year=2025/part-0.parquet"), 4, 5);
    FlightClient flight = start(1000);

    List<FlightInfo> infos = new ArrayList<>();
    flight.listFlights(Criteria.ALL).forEach(infos::add);

    assertThat(infos)
        .extracting(info -> info.getDescriptor().getPath())
        .containsExactly(List.of("sales.parquet"), List.of("trips"));
    FlightInfo info = infos.get(0);
    assertThat(info.getRecords()).isEqualTo(10);
    assertThat(info.getBytes()).isPositive(); // an estimate of the Arrow bytes: TypesRoundTripTest
    assertThat(info.getSchema().getFields()).isEqualTo(TestData.SCHEMA.getFields());
    assertThat(info.getEndpoints()).hasSize(1);
    assertThat(info.getEndpoints().get(0).getLocations())
        .containsExactly(server.advertisedLocation());
    assertThat(
            new String(info.getEndpoints().get(0).getTicket().getBytes(), StandardCharsets.UTF_8))
        .isEqualTo("sales.parquet");
    assertThat(DatasetFingerprint.fromAppMetadata(info.getAppMetadata()).value()).hasSize(64);
    assertThat(infos.get(1).getRecords()).isEqualTo(9);

    FlightInfo byDescriptor = flight.getInfo(FlightDescriptor.path("trips"));
    assertThat(byDescriptor.getAppMetadata()).isEqualTo(infos.get(1).getAppMetadata());
    List<Field> withYear = new ArrayList<>(TestData.SCHEMA.getFields());
    withYear.add(Field.nullable("year", new ArrowType.Int(64, true)));
    assertThat(infos.get(1).getSchema().getFields()).isEqualTo(withYear);
    assertThat(flight.getSchema(FlightDescriptor.path("trips")).getSchema().getFields())
        .isEqualTo(withYear);
    List<String> prefixed = new ArrayList<>();
    flight
        .listFlights(new Criteria("tr".getBytes(StandardCharsets.UTF_8)))
        .forEach(i -> prefixed.add(i.getDescriptor().getPath().get(0)));
    assertThat(prefixed).containsExactly("trips");
  }

  @Test
  void doGetStreamsExactlyTheRowsInBatchesOfAtMostBatchRows() throws Exception {
    TestData.write(dataDir.resolve("trips/part-0.parquet"), 0, 30);
    TestData.write(dataDir.resolve("trips/part-1.parquet"), 30, 20);
    FlightClient flight = start(7);

    List<Integer> batchSizes = new ArrayList<>();
    List<String> rows = readAll(flight, "trips", batchSizes);

    assertThat(rows).containsExactlyElementsOf(TestData.expected(0, 50));
    assertThat(batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 7));
    SpanData doGet = serverSpan("DoGet");
    assertThat(doGet.getAttributes().get(FlightAttributes.DATASET)).isEqualTo("trips");
    assertThat(doGet.getAttributes().get(FlightAttributes.SERVER_ID)).isEqualTo("server-1");
    assertThat(doGet.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(50L);
    assertThat(doGet.getAttributes().get(FlightAttributes.BATCHES))
        .isEqualTo((long) batchSizes.size());
    assertThat(doGet.getAttributes().get(FlightAttributes.BYTES)).isPositive();
  }

  /** Writes the hive fixture: 3 files under year=/month=/region= (a string key), 25 rows. */
  private void writeHiveFixture() throws Exception {
    TestData.write(
        dataDir.resolve("trips/year=2024/month=1/region=eu%2Fwest/part-0.parquet"), 0, 10);
    TestData.write(
        dataDir.resolve("trips/year=2024/month=1/region=eu%2Fwest/part-1.parquet"), 10, 5);
    TestData.write(dataDir.resolve("trips/year=2024/month=12/region=us/part-0.parquet"), 15, 3);
    TestData.write(
        dataDir.resolve("trips/year=2025/month=2/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet"),
        18,
        7);
  }

  private static List<String> hiveExpected() {
    List<String> rows = new ArrayList<>();
    for (long id = 0; id < 25; id++) {
      String partition = id < 15 ? "2024:1:eu/west" : id < 18 ? "2024:12:us" : "2025:2:null";
      rows.add(id + ":name-" + id + ":" + partition);
    }
    return rows;
  }

  /** Every row as {@code "<col>:<col>:..."} over all columns of the batch. */
  private static List<String> allColumns(VectorSchemaRoot root) {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      List<String> values = new ArrayList<>();
      for (FieldVector vector : root.getFieldVectors()) {
        values.add(String.valueOf(vector.getObject(i)));
      }
      rows.add(String.join(":", values));
    }
    return rows;
  }

  @Test
  void hivePartitionColumnsAreInTheSchemaAndInEveryRow() throws Exception {
    writeHiveFixture();
    FlightClient flight = start(4);

    Schema expectedSchema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("name", new ArrowType.Utf8()),
                Field.nullable("year", new ArrowType.Int(64, true)),
                Field.nullable("month", new ArrowType.Int(64, true)),
                Field.nullable("region", new ArrowType.Utf8())));
    FlightInfo info = flight.getInfo(FlightDescriptor.path("trips"));
    assertThat(info.getSchema().getFields()).isEqualTo(expectedSchema.getFields());
    assertThat(info.getRecords()).isEqualTo(25);
    assertThat(flight.getSchema(FlightDescriptor.path("trips")).getSchema().getFields())
        .isEqualTo(expectedSchema.getFields());
    List<FlightInfo> listed = new ArrayList<>();
    flight.listFlights(Criteria.ALL).forEach(listed::add);
    assertThat(listed)
        .singleElement()
        .satisfies(
            i -> assertThat(i.getSchema().getFields()).isEqualTo(expectedSchema.getFields()));

    List<String> rows = new ArrayList<>();
    List<Integer> batchSizes = new ArrayList<>();
    try (FlightStream stream =
        flight.getStream(new Ticket("trips".getBytes(StandardCharsets.UTF_8)))) {
      assertThat(stream.getSchema().getFields()).isEqualTo(expectedSchema.getFields());
      while (stream.next()) {
        batchSizes.add(stream.getRoot().getRowCount());
        rows.addAll(allColumns(stream.getRoot()));
      }
    }
    assertThat(rows).containsExactlyElementsOf(hiveExpected());
    // File by file: a batch never spans two files.
    assertThat(batchSizes).containsExactly(4, 4, 2, 4, 1, 3, 4, 3);
    SpanData doGet = serverSpan("DoGet");
    assertThat(doGet.getAttributes().get(FlightAttributes.DATASET)).isEqualTo("trips");
    assertThat(doGet.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(25L);
    assertThat(doGet.getAttributes().get(FlightAttributes.BATCHES)).isEqualTo(8L);
    assertThat(doGet.getAttributes().get(FlightAttributes.BYTES)).isPositive();
    await().untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isZero());
  }

  @Test
  void cancellingADoGetOfAPartitionedDatasetFreesEverything() throws Exception {
    TestData.write(dataDir.resolve("big/year=2024/part-0.parquet"), 0, 100_000);
    TestData.write(dataDir.resolve("big/year=2025/part-0.parquet"), 100_000, 100_000);
    FlightClient flight = start(100);
    long nativeBefore = NativeMemoryPool.getDefault().getBytesAllocated();
    try (FlightStream stream =
        flight.getStream(new Ticket("big".getBytes(StandardCharsets.UTF_8)))) {
      assertThat(stream.next()).isTrue();
      assertThat(stream.getRoot().getRowCount()).isEqualTo(100);
      assertThat(allColumns(stream.getRoot()).get(0)).isEqualTo("0:name-0:2024");
      stream.cancel("enough", null);
    }
    await().untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isZero());
    // The native scan of the file being read is closed too (arrow-dataset's own memory pool).
    await()
        .untilAsserted(
            () ->
                assertThat(NativeMemoryPool.getDefault().getBytesAllocated())
                    .isEqualTo(nativeBefore));
    // The DoGet thread has ended: the server answers a fresh request as usual.
    List<String> rows = new ArrayList<>();
    try (FlightStream stream =
        flight.getStream(new Ticket("big".getBytes(StandardCharsets.UTF_8)))) {
      while (stream.next()) {
        rows.addAll(allColumns(stream.getRoot()));
      }
    }
    assertThat(rows).hasSize(200_000);
    assertThat(rows.get(99_999)).isEqualTo("99999:name-99999:2024");
    assertThat(rows.get(100_000)).isEqualTo("100000:name-100000:2025");
    await().untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isZero());
  }

  @Test
  void unknownDatasetIsNotFound() throws Exception {
    FlightClient flight = start(1000);
    assertStatus(
        () -> flight.getInfo(FlightDescriptor.path("nope.parquet")), FlightStatusCode.NOT_FOUND);
    assertStatus(
        () -> readAll(flight, "nope.parquet", new ArrayList<>()), FlightStatusCode.NOT_FOUND);
  }

  @Test
  @Timeout(60) // a hang here means the server opened the FIFO a link points at
  void invalidNamesAreRejectedAndNothingOutsideIsOpened() throws Exception {
    Path fifo = outside.resolve("fifo.parquet");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    Files.createSymbolicLink(dataDir.resolve("fifo.parquet"), fifo);
    Path secret = TestData.write(outside.resolve("secret.parquet"), 0, 3);
    Files.createSymbolicLink(dataDir.resolve("secret.parquet"), secret);
    TestData.write(dataDir.resolve("ok.parquet"), 0, 3);
    FlightClient flight = start(1000);

    assertThat(names(flight)).containsExactly("ok.parquet");
    FlightStatusCode invalid = FlightStatusCode.INVALID_ARGUMENT;
    assertStatus(
        () -> flight.getInfo(FlightDescriptor.command("ok.parquet".getBytes())),
        FlightStatusCode.UNIMPLEMENTED);
    assertStatus(() -> flight.getInfo(FlightDescriptor.path("a", "b")), invalid);
    for (String name :
        List.of("../x", "/etc/passwd", "secret.parquet", "fifo.parquet", ".flight-staging")) {
      assertStatus(() -> flight.getInfo(FlightDescriptor.path(name)), invalid);
      assertStatus(() -> flight.getSchema(FlightDescriptor.path(name)), invalid);
      assertStatus(() -> readAll(flight, name, new ArrayList<>()), invalid);
    }
  }

  @Test
  void doPutStoresFileAndFolderDatasetsVisibleInTheListing() throws Exception {
    FlightClient flight = start(1000);
    put(flight, "uploaded.parquet", 3, 100);
    put(flight, "uploaded_folder", 2, 50);

    assertThat(names(flight)).containsExactly("uploaded.parquet", "uploaded_folder");
    assertThat(dataDir.resolve("uploaded.parquet")).isRegularFile();
    assertThat(dataDir.resolve("uploaded_folder/part-0.parquet")).isRegularFile();
    assertThat(readAll(flight, "uploaded.parquet", new ArrayList<>()))
        .containsExactlyElementsOf(TestData.expected(0, 300));
    assertThat(readAll(flight, "uploaded_folder", new ArrayList<>()))
        .containsExactlyElementsOf(TestData.expected(0, 100));
    assertThat(dataDir.resolve(DatasetStore.STAGING_DIR))
        .isDirectoryNotContaining(TestData.uploadLeftover());
    SpanData doPut = serverSpans("DoPut").get(0);
    assertThat(doPut.getAttributes().get(FlightAttributes.DATASET)).isEqualTo("uploaded.parquet");
    assertThat(doPut.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(300L);
  }

  @Test
  void doPutOfAnExistingNameIsAlreadyExists() throws Exception {
    TestData.write(dataDir.resolve("taken.parquet"), 0, 2);
    FlightClient flight = start(1000);
    assertStatus(() -> put(flight, "taken.parquet", 1, 10), FlightStatusCode.ALREADY_EXISTS);
    put(flight, "fresh", 1, 10);
    assertStatus(() -> put(flight, "fresh", 1, 10), FlightStatusCode.ALREADY_EXISTS);
    assertStatus(() -> put(flight, "a/b.parquet", 1, 10), FlightStatusCode.INVALID_ARGUMENT);
    assertThat(dataDir.resolve(DatasetStore.STAGING_DIR))
        .isDirectoryNotContaining(TestData.uploadLeftover());
  }

  @Test
  void doPutCancelledMidStreamLeavesNothing() throws Exception {
    FlightClient flight = start(1000);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, clientAllocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(FlightDescriptor.path("cancelled.parquet"), root, new AsyncPutListener());
      TestData.fill(root, 0, 100);
      put.putNext();
      Path staging = dataDir.resolve(DatasetStore.STAGING_DIR);
      await()
          .until(
              () -> {
                try (var entries = Files.list(staging)) {
                  return entries.findAny().isPresent();
                }
              });
      put.error(CallStatus.CANCELLED.withDescription("client gave up").toRuntimeException());
      await().untilAsserted(() -> assertThat(staging).isEmptyDirectory());
    }
    await().untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isZero());
    assertThat(dataDir.resolve("cancelled.parquet")).doesNotExist();
    assertThat(names(flight)).isEmpty();
  }

  @Test
  void aDoPutBatchLargerThanTheMessageLimitIsResourceExhaustedAndLeavesNothing() throws Exception {
    // Batches of 50,000 rows hold ~1.2 MB: over the limit, under the twice-the-limit gRPC cap.
    FlightClient flight = start(1000, builder -> builder.maxMessageBytes(1 << 20));

    assertThatThrownBy(() -> put(flight, "huge.parquet", 2, 50_000))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
              assertThat(e.status().description())
                  .contains("exceeds this server's limit")
                  .contains("smaller batches");
            });

    await().untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isZero());
    assertThat(dataDir.resolve("huge.parquet")).doesNotExist();
    await()
        .untilAsserted(
            () ->
                assertThat(dataDir.resolve(DatasetStore.STAGING_DIR))
                    .isDirectoryNotContaining(TestData.uploadLeftover()));
    // The server keeps serving: batches under the limit are stored and read back.
    put(flight, "small.parquet", 2, 100);
    assertThat(readAll(flight, "small.parquet", new ArrayList<>()))
        .containsExactlyElementsOf(TestData.expected(0, 200));
  }

  @Test
  void aConcurrentUploadOfTheSameNameIsAlreadyExists() throws Exception {
    FlightClient flight = start(1000);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, clientAllocator)) {
      FlightClient.ClientStreamListener first =
          flight.startPut(FlightDescriptor.path("same"), root, new AsyncPutListener());
      TestData.fill(root, 0, 10);
      first.putNext();
      Path staging = dataDir.resolve(DatasetStore.STAGING_DIR);
      await()
          .until(
              () -> {
                try (var entries = Files.list(staging)) {
                  return entries.findAny().isPresent();
                }
              });
      assertStatus(() -> put(flight, "same", 1, 10), FlightStatusCode.ALREADY_EXISTS);
      first.completed();
      first.getResult();
    }
    assertThat(readAll(flight, "same", new ArrayList<>()))
        .containsExactlyElementsOf(TestData.expected(0, 10));
  }

  @Test
  void doPutRejectsWhatParquetCannotStore() throws Exception {
    FlightClient flight = start(1000);
    Schema intervals =
        new Schema(
            List.of(Field.nullable("span", new ArrowType.Interval(IntervalUnit.MONTH_DAY_NANO))));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(intervals, clientAllocator)) {
      root.allocateNew();
      root.setRowCount(1);
      FlightClient.ClientStreamListener put =
          flight.startPut(FlightDescriptor.path("intervals.parquet"), root, new AsyncPutListener());
      put.putNext();
      put.completed();
      assertStatus(put::getResult, FlightStatusCode.INVALID_ARGUMENT);
    }
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(List.of()), clientAllocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(FlightDescriptor.path("empty.parquet"), root, new AsyncPutListener());
      put.completed();
      assertStatus(put::getResult, FlightStatusCode.INVALID_ARGUMENT);
    }
    assertThat(names(flight)).isEmpty();
    assertThat(dataDir.resolve(DatasetStore.STAGING_DIR))
        .isDirectoryNotContaining(TestData.uploadLeftover());
  }

  @Test
  void doPutOfADictionaryEncodedStreamReadsBackAsADictionary() throws Exception {
    FlightClient flight = start(1000);
    DictionaryEncoding encoding = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));
    try (VarCharVector values = new VarCharVector("color", clientAllocator)) {
      values.allocateNew();
      values.setSafe(0, "red".getBytes(StandardCharsets.UTF_8));
      values.setSafe(1, "green".getBytes(StandardCharsets.UTF_8));
      values.setValueCount(2);
      var dictionaries =
          new DictionaryProvider.MapDictionaryProvider(new Dictionary(values, encoding));
      Schema schema =
          new Schema(
              List.of(
                  new Field(
                      "color", new FieldType(true, new ArrowType.Int(32, true), encoding), null)));
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, clientAllocator)) {
        FlightClient.ClientStreamListener put =
            flight.startPut(
                FlightDescriptor.path("colors.parquet"),
                root,
                dictionaries,
                new AsyncPutListener());
        IntVector indices = (IntVector) root.getVector(0);
        indices.allocateNew(3);
        indices.set(0, 1);
        indices.set(1, 0);
        indices.setNull(2);
        root.setRowCount(3);
        put.putNext();
        put.completed();
        put.getResult();
      }
    }
    List<Object> colors = new ArrayList<>();
    try (FlightStream stream =
        flight.getStream(new Ticket("colors.parquet".getBytes(StandardCharsets.UTF_8)))) {
      while (stream.next()) {
        FieldVector indices = stream.getRoot().getVector("color");
        DictionaryEncoding sent = indices.getField().getDictionary();
        assertThat(sent).isNotNull();
        try (var decoded =
            org.apache.arrow.vector.dictionary.DictionaryEncoder.decode(
                indices, stream.getDictionaryProvider().lookup(sent.getId()))) {
          for (int i = 0; i < stream.getRoot().getRowCount(); i++) {
            Object color = decoded.getObject(i);
            colors.add(color == null ? null : color.toString());
          }
        }
      }
    }
    assertThat(colors).containsExactly("green", "red", null);
  }

  @Test
  void changesOnDiskAppearAndDisappear() throws Exception {
    FlightClient flight = start(1000);
    assertThat(names(flight)).isEmpty();
    Path file = TestData.write(dataDir.resolve("later.parquet"), 0, 3);
    await().until(() -> names(flight).equals(List.of("later.parquet")));
    Files.delete(file);
    await().until(() -> names(flight).isEmpty());
  }

  @Test
  void dictionaryColumnsWrittenByPyarrowArriveAsPlainValues() throws Exception {
    Files.copy(
        Path.of("src/test/resources/fixtures/dictionary.parquet"),
        dataDir.resolve("dictionary.parquet"));
    FlightClient flight = start(2);

    FlightInfo info = flight.getInfo(FlightDescriptor.path("dictionary.parquet"));
    assertThat(info.getSchema().findField("color").getDictionary()).isNull();
    assertThat(info.getRecords()).isEqualTo(9);
    List<String> colors = new ArrayList<>();
    List<Object> ids = new ArrayList<>();
    try (FlightStream stream =
        flight.getStream(new Ticket("dictionary.parquet".getBytes(StandardCharsets.UTF_8)))) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        assertThat(root.getSchema().findField("color").getDictionary()).isNull();
        for (int i = 0; i < root.getRowCount(); i++) {
          Object color = root.getVector("color").getObject(i);
          colors.add(color == null ? null : color.toString());
          ids.add(root.getVector("id").getObject(i));
        }
      }
    }
    assertThat(colors)
        .containsExactly("red", "green", "red", "blue", "blue", "green", "violet", null, "indigo");
    assertThat(ids).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
  }

  @Test
  void aDoGetThatFindsTheScanMemoryTakenWaitsThenIsResourceExhausted() throws Exception {
    TestData.write(dataDir.resolve("big.parquet"), 0, 200_000);
    FlightClient flight =
        start(
            100,
            builder ->
                builder
                    .scanMemoryBytes(
                        1L << 20) // less than one scan of big.parquet wants: one stream at a time
                    .scanQueueTimeout(Duration.ofMillis(200)));
    Ticket ticket = new Ticket("big.parquet".getBytes(StandardCharsets.UTF_8));

    try (FlightStream first = flight.getStream(ticket)) {
      assertThat(first.next()).isTrue();
      assertThatThrownBy(() -> readAll(flight, "big.parquet", new ArrayList<>()))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
                assertThat(e.status().description())
                    .contains("scan memory")
                    .contains("another replica");
              });
      first.cancel("enough", null);
    }

    // The first scan returns its share once its cancel reaches the scan: a stream refused before
    // then
    // is retried, and reading 2,000 batches may take long on a loaded machine.
    await()
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptionsMatching(
            e ->
                e instanceof FlightRuntimeException f
                    && f.status().code() == FlightStatusCode.RESOURCE_EXHAUSTED)
        .untilAsserted(
            () -> assertThat(readAll(flight, "big.parquet", new ArrayList<>())).hasSize(200_000));
    assertThat(serverSpans("DoGet"))
        .anySatisfy(
            span ->
                assertThat(span.getAttributes().get(FlightAttributes.SCAN_MEMORY_RESERVED))
                    .isEqualTo(1L << 20));
  }

  @Test
  void cancellingADoGetFreesTheStream() throws Exception {
    TestData.write(dataDir.resolve("big.parquet"), 0, 200_000);
    FlightClient flight = start(100);
    try (FlightStream stream =
        flight.getStream(new Ticket("big.parquet".getBytes(StandardCharsets.UTF_8)))) {
      assertThat(stream.next()).isTrue();
      assertThat(stream.getRoot().getRowCount()).isEqualTo(100);
      stream.cancel("enough", null);
    }
    await().untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isZero());
    // The DoGet thread has ended: the server answers a fresh request as usual.
    assertThat(readAll(flight, "big.parquet", new ArrayList<>())).hasSize(200_000);
  }

  private void put(FlightClient flight, String name, int batches, int rowsPerBatch) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, clientAllocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(FlightDescriptor.path(name), root, new AsyncPutListener());
      for (int b = 0; b < batches; b++) {
        TestData.fill(root, (long) b * rowsPerBatch, rowsPerBatch);
        put.putNext();
      }
      put.completed();
      put.getResult();
    }
  }

  private static void assertStatus(ThrowingCallable call, FlightStatusCode code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            FlightRuntimeException.class, e -> assertThat(e.status().code()).isEqualTo(code));
  }

  private List<SpanData> serverSpans(String method) {
    return telemetry.spans().stream()
        .filter(span -> span.getKind() == SpanKind.SERVER)
        .filter(span -> span.getName().equals("arrow.flight.protocol.FlightService/" + method))
        .toList();
  }

  private SpanData serverSpan(String method) {
    await().until(() -> !serverSpans(method).isEmpty());
    return serverSpans(method).get(0);
  }
}
