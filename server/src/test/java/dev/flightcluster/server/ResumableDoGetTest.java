package dev.flightcluster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.protocol.ResumeToken;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
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
 * The server side of resumable DoGet (issue 12): tickets naming files, resume tokens on every
 * batch, and a stream resumed at any token equal, byte for byte, to the rest of the stream it came
 * from.
 */
@Timeout(120)
class ResumableDoGetTest {
  private static final int BATCH_ROWS = 4;
  private static final DatasetName EVENTS = DatasetName.of("events");
  private static final List<String> EVENT_FILES =
      List.of(
          "year=2024/month=1/part-0.parquet",
          "year=2024/month=2/part-0.parquet",
          "year=2025/month=1/part-0.parquet");

  @TempDir Path dataDir;
  @TempDir Path outside;
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
    // Three files of one hive-partitioned dataset: 10, 13 and 1 rows, so 3, 4 and 1 batches of 4.
    TestData.write(dataDir.resolve("events").resolve(EVENT_FILES.get(0)), 0, 10);
    TestData.write(dataDir.resolve("events").resolve(EVENT_FILES.get(1)), 10, 13);
    TestData.write(dataDir.resolve("events").resolve(EVENT_FILES.get(2)), 23, 1);
    TestData.write(dataDir.resolve("sales.parquet"), 100, 6);
    server =
        DataServer.builder(serverAllocator, telemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-1")
            .batchRows(BATCH_ROWS)
            .heartbeatInterval(Duration.ofMillis(100))
            // Byte for byte holds within one read path; a hot cache copy sends the same values, but
            // what lies past a batch's length or under a null may differ (decisions D87).
            .cacheBytes(0)
            .build();
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
  void everyBatchCarriesTheResumeTokenOfThePositionAfterIt() throws Exception {
    List<Batch> full = read(Tickets.of(DatasetTicket.whole(EVENTS)));

    assertThat(full)
        .extracting(batch -> batch.token().position())
        .containsExactly(
            new ResumePosition(EVENT_FILES.get(0), 4),
            new ResumePosition(EVENT_FILES.get(0), 8),
            new ResumePosition(EVENT_FILES.get(0), 10),
            new ResumePosition(EVENT_FILES.get(1), 4),
            new ResumePosition(EVENT_FILES.get(1), 8),
            new ResumePosition(EVENT_FILES.get(1), 12),
            new ResumePosition(EVENT_FILES.get(1), 13),
            new ResumePosition(EVENT_FILES.get(2), 1));
    assertThat(full).allSatisfy(batch -> assertThat(batch.token().dataset()).isEqualTo(EVENTS));
    assertThat(full.stream().flatMap(batch -> batch.rows().stream()).toList())
        .containsExactlyElementsOf(withPartitions());
  }

  @Test
  void aStreamResumedAtAnyBatchIsTheTailOfTheFullStreamByteForByte() throws Exception {
    List<Batch> full = read(Tickets.of(DatasetTicket.whole(EVENTS)));
    for (int k = 1; k <= full.size(); k++) {
      ResumePosition after = full.get(k - 1).token().position();
      List<Batch> resumed = read(Tickets.of(DatasetTicket.whole(EVENTS).resumeAt(after)));
      assertThat(resumed)
          .as("resumed after batch %d at %s", k, after)
          .isEqualTo(full.subList(k, full.size()));
    }
  }

  @Test
  void aResumeInsideABatchSendsExactlyTheRowsAfterIt() throws Exception {
    // Another replica may batch differently: row 5 of the second file lies inside a batch here.
    List<Batch> resumed =
        read(
            Tickets.of(
                DatasetTicket.whole(EVENTS).resumeAt(new ResumePosition(EVENT_FILES.get(1), 5))));

    assertThat(resumed.stream().flatMap(batch -> batch.rows().stream()).toList())
        .containsExactlyElementsOf(withPartitions().subList(10 + 5, 24));
    assertThat(resumed.get(0).token().position())
        .isEqualTo(new ResumePosition(EVENT_FILES.get(1), 8));
  }

  @Test
  void aResumeAtTheEndIsAnEmptyStreamWithTheSchema() throws Exception {
    Ticket ticket =
        Tickets.of(DatasetTicket.whole(EVENTS).resumeAt(new ResumePosition(EVENT_FILES.get(2), 1)));
    try (FlightStream stream = flight.getStream(ticket)) {
      assertThat(stream.next()).isFalse();
      assertThat(stream.getSchema().getFields())
          .extracting(Field::getName)
          .containsExactly("id", "name", "year", "month");
    }
  }

  @Test
  void aTicketNamingSomeFilesStreamsExactlyThoseInItsOrder() throws Exception {
    DatasetTicket subset =
        new DatasetTicket(EVENTS, List.of(EVENT_FILES.get(2), EVENT_FILES.get(0)), null);
    List<Batch> batches = read(Tickets.of(subset));

    List<String> all = withPartitions();
    List<String> expected = new ArrayList<>(all.subList(23, 24));
    expected.addAll(all.subList(0, 10));
    assertThat(batches.stream().flatMap(batch -> batch.rows().stream()).toList())
        .containsExactlyElementsOf(expected);
    assertThat(batches.getLast().token().position())
        .isEqualTo(new ResumePosition(EVENT_FILES.get(0), 10));

    // Resumed within the subset: the files after the position in the ticket's order.
    List<Batch> resumed = read(Tickets.of(subset.resumeAt(batches.get(0).token().position())));
    assertThat(resumed).isEqualTo(batches.subList(1, batches.size()));
  }

  @Test
  void aSingleFileDatasetsOneFileIsItsOwnName() throws Exception {
    DatasetName sales = DatasetName.of("sales.parquet");
    List<Batch> batches =
        read(Tickets.of(new DatasetTicket(sales, List.of("sales.parquet"), null)));

    assertThat(batches.stream().flatMap(batch -> batch.rows().stream()).toList())
        .containsExactlyElementsOf(TestData.expected(100, 6));
    assertThat(batches.getLast().token())
        .isEqualTo(new ResumeToken(sales, new ResumePosition("sales.parquet", 6)));
  }

  @Test
  void dictionaryColumnsResumeWithTheSameDictionary() throws Exception {
    upload(
        "colors.parquet",
        List.of("red", "green", "blue"),
        new int[] {0, 1, 2, 2, 1, 0, 0, 1, 2, 1});
    DatasetName colors = DatasetName.of("colors.parquet");
    List<Batch> full = read(Tickets.of(DatasetTicket.whole(colors)));
    assertThat(full).hasSize(3);
    assertThat(full.get(0).dictionaries()).isNotEmpty();

    for (int k = 1; k <= full.size(); k++) {
      List<Batch> resumed =
          read(
              Tickets.of(DatasetTicket.whole(colors).resumeAt(full.get(k - 1).token().position())));
      assertThat(resumed).isEqualTo(full.subList(k, full.size()));
    }
  }

  @Test
  void aFileTheDatasetDoesNotHaveIsNotFound() {
    assertStatus(
        () ->
            read(
                Tickets.of(
                    new DatasetTicket(EVENTS, List.of("year=2026/month=1/part-0.parquet"), null))),
        FlightStatusCode.NOT_FOUND,
        "year=2026/month=1/part-0.parquet");
  }

  @Test
  void aFileThatLeadsOutsideTheDataDirIsRefused() throws Exception {
    Path secret = TestData.write(outside.resolve("secret.parquet"), 0, 1);
    Files.createSymbolicLink(dataDir.resolve("events").resolve("leak.parquet"), secret);

    assertStatus(
        () -> read(Tickets.of(new DatasetTicket(EVENTS, List.of("leak.parquet"), null))),
        FlightStatusCode.INVALID_ARGUMENT,
        "outside the data dir");
  }

  @Test
  void badResumePositionsAreTheCallersMistake() {
    // Garbled: not a ticket at all.
    assertStatus(
        () ->
            read(
                new Ticket(
                    "{\"dataset\":\"events\",\"resume\":{".getBytes(StandardCharsets.UTF_8))),
        FlightStatusCode.INVALID_ARGUMENT,
        "");
    // Another dataset's token: its file is not one of this dataset's.
    assertStatus(
        () ->
            read(
                Tickets.of(
                    DatasetTicket.whole(EVENTS).resumeAt(new ResumePosition("sales.parquet", 2)))),
        FlightStatusCode.INVALID_ARGUMENT,
        "sales.parquet");
    // Past the end of its file.
    assertStatus(
        () ->
            read(
                Tickets.of(
                    DatasetTicket.whole(EVENTS)
                        .resumeAt(new ResumePosition(EVENT_FILES.get(0), 11)))),
        FlightStatusCode.INVALID_ARGUMENT,
        "has 10 rows");
    // A file of the dataset that the ticket does not read (an encoded ticket the protocol refuses).
    byte[] otherFile =
        ("{\"dataset\":\"events\",\"files\":[\""
                + EVENT_FILES.get(0)
                + "\"],\"resume\":{\"file\":\""
                + EVENT_FILES.get(1)
                + "\",\"row\":1}}")
            .getBytes(StandardCharsets.UTF_8);
    assertStatus(
        () -> read(new Ticket(otherFile)), FlightStatusCode.INVALID_ARGUMENT, EVENT_FILES.get(1));
  }

  @Test
  void aFileThisServerCannotReadIsUnavailableSoTheClientResumesElsewhere() throws Exception {
    // Same size and modification time as listed, other bytes: only the scan can find out.
    Path file = dataDir.resolve("sales.parquet");
    var modified = Files.getLastModifiedTime(file);
    byte[] garbage = new byte[(int) Files.size(file)];
    java.util.Arrays.fill(garbage, (byte) 7);
    Files.write(file, garbage);
    Files.setLastModifiedTime(file, modified);

    assertStatus(
        () -> read(Tickets.of(DatasetTicket.whole(DatasetName.of("sales.parquet")))),
        FlightStatusCode.UNAVAILABLE,
        "cannot read dataset 'sales.parquet' on server server-1");
  }

  /** Every row of the events dataset as {@code id:name:year:month}, in stream order. */
  private static List<String> withPartitions() {
    List<String> rows = new ArrayList<>();
    TestData.expected(0, 10).forEach(row -> rows.add(row + ":2024:1"));
    TestData.expected(10, 13).forEach(row -> rows.add(row + ":2024:2"));
    TestData.expected(23, 1).forEach(row -> rows.add(row + ":2025:1"));
    return rows;
  }

  /**
   * One batch as received: its IPC record batch bytes, the stream's dictionaries then (as IPC
   * bytes), its resume token, and its rows for readable assertions.
   */
  private record Batch(
      List<Byte> recordBatch,
      List<List<Byte>> dictionaries,
      ResumeToken token,
      List<String> rows) {}

  private List<Batch> read(Ticket ticket) throws Exception {
    List<Batch> batches = new ArrayList<>();
    try (FlightStream stream = flight.getStream(ticket)) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        ArrowBuf metadata = stream.getLatestMetadata();
        byte[] token = new byte[(int) metadata.readableBytes()];
        metadata.getBytes(0, token);
        List<List<Byte>> dictionaries = new ArrayList<>();
        DictionaryProvider provider = stream.getDictionaryProvider();
        for (long id : provider.getDictionaryIds()) {
          VectorSchemaRoot values = new VectorSchemaRoot(List.of(provider.lookup(id).getVector()));
          dictionaries.add(ipc(values));
        }
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < root.getRowCount(); i++) {
          StringBuilder row = new StringBuilder();
          for (int c = 0; c < root.getFieldVectors().size(); c++) {
            row.append(c == 0 ? "" : ":").append(root.getVector(c).getObject(i));
          }
          rows.add(row.toString());
        }
        batches.add(new Batch(ipc(root), dictionaries, ResumeToken.fromAppMetadata(token), rows));
      }
    }
    return batches;
  }

  private static List<Byte> ipc(VectorSchemaRoot root) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), batch);
    }
    List<Byte> bytes = new ArrayList<>();
    for (byte b : out.toByteArray()) {
      bytes.add(b);
    }
    return bytes;
  }

  /**
   * Uploads one batch with a dictionary-encoded column: one row group, so served as a dictionary.
   */
  private void upload(String name, List<String> values, int[] indices) throws Exception {
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
                      "color", new FieldType(true, new ArrowType.Int(32, true), encoding), null)));
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, clientAllocator)) {
        FlightClient.ClientStreamListener put =
            flight.startPut(FlightDescriptor.path(name), root, provider, new AsyncPutListener());
        IntVector column = (IntVector) root.getVector(0);
        column.allocateNew(indices.length);
        for (int i = 0; i < indices.length; i++) {
          column.set(i, indices[i]);
        }
        root.setRowCount(indices.length);
        put.putNext();
        put.completed();
        put.getResult();
      }
    }
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
