package dev.flightcluster.server.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.TestData;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Uploads no Flight client would send: a deterministic fuzz suite of mutated DoPut messages, and
 * uploads that stall or vanish. The server must answer each with a precise status, store nothing,
 * give back its memory and its threads, and keep serving.
 */
class HostileUploadTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("name", new ArrowType.Utf8())));
  private static final int ROWS = 8;

  /** The statuses a hostile upload may get. */
  private static final List<Status.Code> REFUSED =
      List.of(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);

  @TempDir Path dataDir;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private BufferAllocator serverAllocator;
  private BufferAllocator clientAllocator;
  private DataServer server;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() {
    serverAllocator = new RootAllocator();
    clientAllocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
    clientAllocator.close();
    serverAllocator.close();
    telemetry.close();
  }

  private void start(UnaryOperator<DataServer.Builder> configure) throws Exception {
    DataServer.Builder builder =
        DataServer.builder(serverAllocator, telemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-1")
            .heartbeatInterval(Duration.ofMillis(200));
    server = configure.apply(builder).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  private FlightClient flightClient() {
    return FlightClient.builder(clientAllocator, server.advertisedLocation()).build();
  }

  /** Threads inside an upload of the server right now. */
  private static long uploadThreads() {
    return Thread.getAllStackTraces().values().stream()
        .filter(
            stack ->
                Stream.of(stack)
                    .anyMatch(
                        frame ->
                            frame.getClassName().endsWith("DataProducer")
                                && frame.getMethodName().equals("upload")))
        .count();
  }

  private static void fill(VectorSchemaRoot root, int rows) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector name = (VarCharVector) root.getVector("name");
    id.allocateNew(rows);
    name.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      id.set(i, i);
      name.setSafe(i, ("name-" + i).getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(rows);
  }

  private IpcMessages.Batch validBatch() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, clientAllocator)) {
      fill(root, ROWS);
      return IpcMessages.batch(root);
    }
  }

  private byte[] validSerializedBatchHeader() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, clientAllocator)) {
      fill(root, ROWS);
      return IpcMessages.serializedBatchHeader(root);
    }
  }

  /** One hostile upload: its messages, and whether a mutation may have left it valid after all. */
  private record Case(String name, List<byte[]> messages, boolean mayBeValid) {}

  private static byte[] flip(Random random, byte[] bytes) {
    byte[] out = bytes.clone();
    int flips = 1 + random.nextInt(3);
    for (int i = 0; i < flips; i++) {
      int at = random.nextInt(out.length);
      out[at] = (byte) (out[at] ^ (1 + random.nextInt(255)));
    }
    return out;
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The buffer index of the name column's offsets and data in the batch layout. */
  private static final int NAME_OFFSETS = 3;

  private static final int NAME_DATA = 4;

  private List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    byte[] schema = IpcMessages.schemaHeader(SCHEMA);
    IpcMessages.Batch batch = validBatch();
    byte[] batchHeader = validSerializedBatchHeader();
    Random random = new Random(20261129L);

    for (int i = 0; i < 60; i++) {
      String name = "schema-flip-" + i + ".parquet";
      cases.add(
          new Case(
              name,
              List.of(
                  IpcMessages.flightData(name, flip(random, schema), null),
                  IpcMessages.flightData(null, batch.header(), batch.body())),
              true));
    }
    for (int i = 0; i < 20; i++) {
      String name = "schema-garbage-" + i + ".parquet";
      byte[] header =
          i % 2 == 0
              ? java.util.Arrays.copyOf(schema, random.nextInt(schema.length - 1))
              : randomBytes(random, 1 + random.nextInt(200));
      cases.add(
          new Case(
              name,
              List.of(
                  IpcMessages.flightData(name, header, null),
                  IpcMessages.flightData(null, batch.header(), batch.body())),
              false));
    }
    for (int i = 0; i < 60; i++) {
      String name = "batch-flip-" + i + ".parquet";
      cases.add(
          new Case(
              name,
              List.of(
                  IpcMessages.flightData(name, schema, null),
                  IpcMessages.flightData(null, flip(random, batchHeader), batch.body())),
              true));
    }
    for (int i = 0; i < 60; i++) {
      String name = "lengths-" + i + ".parquet";
      IpcMessages.Layout layout = batch.layout().copy();
      long bodyLength = batch.body().length;
      switch (i % 6) {
        case 0 -> layout.nodes()[random.nextInt(2)][0] = ROWS + 1 + random.nextInt(1 << 20);
        case 1 ->
            layout =
                new IpcMessages.Layout(
                    ROWS + 1 + random.nextInt(1 << 20),
                    layout.nodes(),
                    layout.buffers(),
                    layout.bodyLength(),
                    layout.codec());
        case 2 -> {
          long[] buffer = layout.buffers()[1 + random.nextInt(4)];
          buffer[1] = bodyLength - buffer[0] + 1 + random.nextInt(1 << 30);
        }
        case 3 -> layout.buffers()[1 + random.nextInt(4)][0] = bodyLength + random.nextInt(1 << 30);
        case 4 ->
            layout.buffers()[random.nextBoolean() ? 1 : NAME_OFFSETS][1] =
                random.nextInt(8 * ROWS / 2);
        default -> layout.buffers()[1 + random.nextInt(4)][0] = -1 - random.nextInt(1 << 20);
      }
      cases.add(
          new Case(
              name,
              List.of(
                  IpcMessages.flightData(name, schema, null),
                  IpcMessages.flightData(null, layout.header(), batch.body())),
              false));
    }
    for (int i = 0; i < 40; i++) {
      String name = "offsets-" + i + ".parquet";
      byte[] body = batch.body().clone();
      long[] offsets = batch.layout().buffers()[NAME_OFFSETS];
      long dataLength = batch.layout().buffers()[NAME_DATA][1];
      int at = 1 + random.nextInt(ROWS);
      int previous = readInt(body, (int) offsets[0] + 4 * (at - 1));
      int value =
          switch (i % 3) {
            case 0 -> -1 - random.nextInt(Integer.MAX_VALUE);
            case 1 ->
                (int) dataLength + 1 + random.nextInt(Integer.MAX_VALUE - (int) dataLength - 1);
            default -> previous - 1 - random.nextInt(previous + 1);
          };
      writeInt(body, (int) offsets[0] + 4 * at, value);
      cases.add(
          new Case(
              name,
              List.of(
                  IpcMessages.flightData(name, schema, null),
                  IpcMessages.flightData(null, batch.header(), body)),
              false));
    }
    for (int i = 0; i < 20; i++) {
      String name = "short-body-" + i + ".parquet";
      byte[] body = java.util.Arrays.copyOf(batch.body(), random.nextInt(batch.body().length));
      cases.add(
          new Case(
              name,
              List.of(
                  IpcMessages.flightData(name, schema, null),
                  IpcMessages.flightData(null, batch.header(), body)),
              false));
    }
    for (int i = 0; i < 20; i++) {
      String name = "compressed-" + i + ".parquet";
      // Each compressed buffer starts with its uncompressed length: claim far more than exists.
      byte[] body = batch.body().clone();
      for (long[] buffer : batch.layout().buffers()) {
        if (buffer[1] >= 8) {
          writeLong(
              body,
              (int) buffer[0],
              i % 2 == 0 ? Long.MAX_VALUE - random.nextInt(1000) : 1L << (31 + random.nextInt(30)));
        }
      }
      IpcMessages.Layout layout = batch.layout().withCodec((byte) (i % 2));
      cases.add(
          new Case(
              name,
              List.of(
                  IpcMessages.flightData(name, schema, null),
                  IpcMessages.flightData(null, layout.header(), body)),
              false));
    }
    cases.addAll(dictionaryCases(random));
    for (int i = 0; i < 40; i++) {
      String name = "random-" + i + ".parquet";
      List<byte[]> messages = new ArrayList<>();
      if (i % 2 == 1) {
        messages.add(IpcMessages.flightData(name, schema, null));
      }
      messages.add(
          switch (i % 4) {
            // A data_body field (1000) claiming a huge length in a short message.
            case 2, 3 ->
                concat(
                    new byte[] {(byte) 0xc2, 0x3e},
                    varint(1L << (20 + random.nextInt(11))),
                    randomBytes(random, random.nextInt(64)));
            default -> randomBytes(random, 1 + random.nextInt(2000));
          });
      cases.add(new Case(name, messages, false));
    }
    cases.add(
        new Case(
            "batch-first.parquet",
            List.of(IpcMessages.flightData("batch-first.parquet", batch.header(), batch.body())),
            false));
    cases.add(
        new Case(
            "no-descriptor.parquet",
            List.of(
                IpcMessages.flightData(null, schema, null),
                IpcMessages.flightData(null, batch.header(), batch.body())),
            false));
    cases.add(
        new Case(
            "two-schemas.parquet",
            List.of(
                IpcMessages.flightData("two-schemas.parquet", schema, null),
                IpcMessages.flightData(null, schema, null),
                IpcMessages.flightData(null, batch.header(), batch.body())),
            false));
    cases.add(
        new Case(
            "schema-with-body.parquet",
            List.of(
                IpcMessages.flightData("schema-with-body.parquet", schema, randomBytes(random, 64)),
                IpcMessages.flightData(null, batch.header(), batch.body())),
            false));
    return cases;
  }

  private List<Case> dictionaryCases(Random random) {
    List<Case> cases = new ArrayList<>();
    DictionaryEncoding encoding = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));
    Schema schema =
        new Schema(
            List.of(
                new Field(
                    "color", new FieldType(true, new ArrowType.Int(32, true), encoding), null)));
    Schema valuesSchema = new Schema(List.of(Field.nullable("color", new ArrowType.Utf8())));
    byte[] schemaHeader = IpcMessages.schemaHeader(schema);
    try (VectorSchemaRoot values = VectorSchemaRoot.create(valuesSchema, clientAllocator);
        VectorSchemaRoot indices = VectorSchemaRoot.create(schema, clientAllocator)) {
      VarCharVector colors = (VarCharVector) values.getVector(0);
      colors.allocateNew();
      colors.setSafe(0, "red".getBytes(StandardCharsets.UTF_8));
      colors.setSafe(1, "green".getBytes(StandardCharsets.UTF_8));
      values.setRowCount(2);
      for (int i = 0; i < 20; i++) {
        String name = "dictionary-" + i + ".parquet";
        IntVector index = (IntVector) indices.getVector(0);
        index.allocateNew(ROWS);
        for (int row = 0; row < ROWS; row++) {
          index.set(row, row % 2);
        }
        long id = 1L;
        boolean sendDictionary = true;
        switch (i % 3) {
          case 0 -> id = 2L + random.nextInt(1000);
          case 1 ->
              index.set(
                  random.nextInt(ROWS),
                  random.nextBoolean() ? 2 + random.nextInt(1000) : -1 - random.nextInt(1000));
          default -> sendDictionary = false;
        }
        indices.setRowCount(ROWS);
        IpcMessages.Batch batch = IpcMessages.batch(indices);
        List<byte[]> messages = new ArrayList<>();
        messages.add(IpcMessages.flightData(name, schemaHeader, null));
        if (sendDictionary) {
          byte[][] dictionary = IpcMessages.dictionaryBatch(id, values);
          messages.add(IpcMessages.flightData(null, dictionary[0], dictionary[1]));
        }
        messages.add(IpcMessages.flightData(null, batch.header(), batch.body()));
        cases.add(new Case(name, messages, false));
      }
    }
    return cases;
  }

  @Test
  void everyHostileUploadIsRefusedPreciselyAndTheServerKeepsServing() throws Exception {
    // No hot cache: its background copy of known.parquet would move the memory baseline.
    start(builder -> builder.uploadIdleTimeout(Duration.ofSeconds(10)).cacheBytes(0));
    try (FlightClient flight = flightClient()) {
      putValid(flight, "known.parquet");
    }
    long baseline = serverAllocator.getAllocatedMemory();
    List<Case> cases = cases();
    Map<String, Integer> outcomes = new TreeMap<>();
    Map<String, String> accepted = new LinkedHashMap<>();
    List<String> wrong = new ArrayList<>();
    for (Case c : cases) {
      Status status = RawDoPut.send(channel, c.messages()).get(30, TimeUnit.SECONDS);
      outcomes.merge(
          c.name().replaceAll("-\\d+\\.parquet$", "").replace(".parquet", "")
              + " "
              + status.getCode(),
          1,
          Integer::sum);
      String description = String.valueOf(status.getDescription());
      if (status.isOk() && c.mayBeValid()) {
        accepted.put(c.name(), description);
      } else if (!REFUSED.contains(status.getCode())
          || status.getDescription() == null
          || description.contains("Exception")
          || description.contains("java.")) {
        wrong.add(c.name() + ": " + status.getCode() + " " + description);
      }
    }
    counts(cases, outcomes);
    assertThat(wrong).isEmpty();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(uploadThreads()).isZero());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isEqualTo(baseline));
    assertThat(dataDir.resolve(".flight-staging"))
        .isDirectoryNotContaining(TestData.uploadLeftover());
    try (Stream<Path> files = Files.list(dataDir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
          .containsExactlyInAnyOrderElementsOf(
              Stream.concat(Stream.of("known.parquet"), accepted.keySet().stream()).toList());
    }
    try (FlightClient flight = flightClient()) {
      assertThat(readRows(flight, "known.parquet")).isEqualTo(ROWS);
      for (String name : accepted.keySet()) {
        // A mutation that left the stream valid (a renamed column, say) stored a dataset that reads
        // back.
        assertThat(readRows(flight, name)).as(name).isPositive();
      }
    }
  }

  private static void counts(List<Case> cases, Map<String, Integer> outcomes) {
    // Printed for the report: how many cases of each kind got which status.
    System.out.println("hostile uploads: " + cases.size() + " cases: " + outcomes);
  }

  private void putValid(FlightClient flight, String name) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, clientAllocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(FlightDescriptor.path(name), root, new AsyncPutListener());
      fill(root, ROWS);
      put.putNext();
      put.completed();
      put.getResult();
    }
  }

  private static long readRows(FlightClient flight, String name) throws Exception {
    long rows = 0;
    try (FlightStream stream =
        flight.getStream(new Ticket(name.getBytes(StandardCharsets.UTF_8)))) {
      while (stream.next()) {
        rows += stream.getRoot().getRowCount();
      }
    }
    return rows;
  }

  @Test
  void stringOffsetsFarPastTheDataAreInvalidArgumentAndNothingIsStored() throws Exception {
    start(builder -> builder);
    IpcMessages.Batch batch = validBatch();
    byte[] body = batch.body().clone();
    long[] offsets = batch.layout().buffers()[NAME_OFFSETS];
    for (int row = 1; row <= ROWS; row++) {
      writeInt(body, (int) offsets[0] + 4 * row, 1 << 30); // used to SIGSEGV the native writer
    }
    writeInt(body, (int) offsets[0] + 4 * 1, 1 << 29);

    Status status =
        RawDoPut.send(
                channel,
                List.of(
                    IpcMessages.flightData("far.parquet", IpcMessages.schemaHeader(SCHEMA), null),
                    IpcMessages.flightData(null, batch.header(), body)))
            .get(30, TimeUnit.SECONDS);

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("column 'name'").contains("nothing was stored");
    assertNothingStoredAndServing("far.parquet");
  }

  @Test
  void aLastOffset4096BytesPastTheDataIsInvalidArgumentAndNothingIsStored() throws Exception {
    start(builder -> builder);
    IpcMessages.Batch batch = validBatch();
    byte[] body = batch.body().clone();
    long[] offsets = batch.layout().buffers()[NAME_OFFSETS];
    int last = readInt(body, (int) offsets[0] + 4 * ROWS);
    writeInt(
        body,
        (int) offsets[0] + 4 * ROWS,
        last + 4096); // used to be stored, with 4,096 bytes never sent

    Status status =
        RawDoPut.send(
                channel,
                List.of(
                    IpcMessages.flightData("past.parquet", IpcMessages.schemaHeader(SCHEMA), null),
                    IpcMessages.flightData(null, batch.header(), body)))
            .get(30, TimeUnit.SECONDS);

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("record batch 1").contains("column 'name'");
    assertNothingStoredAndServing("past.parquet");
  }

  private void assertNothingStoredAndServing(String name) throws Exception {
    await().untilAsserted(() -> assertThat(uploadThreads()).isZero());
    await().untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isZero());
    assertThat(dataDir.resolve(name)).doesNotExist();
    assertThat(dataDir.resolve(".flight-staging"))
        .isDirectoryNotContaining(TestData.uploadLeftover());
    try (FlightClient flight = flightClient()) {
      putValid(flight, "after.parquet");
      assertThat(readRows(flight, "after.parquet")).isEqualTo(ROWS);
    }
  }

  @Test
  void anUploadThatNeverSendsItsFirstMessageEndsWithinTheIdleTimeout() throws Exception {
    start(builder -> builder.uploadIdleTimeout(Duration.ofMillis(500)));
    RawDoPut silent = RawDoPut.open(channel);

    Status status = silent.closed().get(30, TimeUnit.SECONDS);

    assertThat(status.getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(status.getDescription()).contains("--upload-idle-timeout").contains("first message");
    await().untilAsserted(() -> assertThat(uploadThreads()).isZero());
    assertNothingStoredAndServing("never");
  }

  @Test
  void anUploadThatStallsBetweenBatchesEndsWithinTheIdleTimeout() throws Exception {
    start(builder -> builder.uploadIdleTimeout(Duration.ofMillis(500)));
    IpcMessages.Batch batch = validBatch();
    RawDoPut stalled = RawDoPut.open(channel);
    stalled.sendMessage(
        IpcMessages.flightData("stalled.parquet", IpcMessages.schemaHeader(SCHEMA), null));
    stalled.sendMessage(IpcMessages.flightData(null, batch.header(), batch.body()));

    Status status = stalled.closed().get(30, TimeUnit.SECONDS);

    assertThat(status.getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(status.getDescription())
        .contains("--upload-idle-timeout")
        .contains("record batch 2");
    assertNothingStoredAndServing("stalled.parquet");
  }

  @Test
  void aClientThatGoesAwayBeforeItsFirstMessageFreesItsThreadAtOnceAndLogsNothing()
      throws Exception {
    start(builder -> builder.uploadIdleTimeout(Duration.ofMinutes(10)));
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    try {
      RawDoPut gone = RawDoPut.open(channel);
      await().until(() -> uploadThreads() == 1);
      gone.cancel();
      // Far sooner than the ten-minute idle timeout: the call's end wakes the upload.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(uploadThreads()).isZero());

      try (FlightClient flight = flightClient();
          VectorSchemaRoot data = VectorSchemaRoot.create(SCHEMA, clientAllocator)) {
        FlightClient.ClientStreamListener put =
            flight.startPut(
                FlightDescriptor.path("cancelled.parquet"), data, new AsyncPutListener());
        fill(data, ROWS);
        put.putNext();
        put.error(CallStatus.CANCELLED.withDescription("client gave up").toRuntimeException());
      }
      await().untilAsserted(() -> assertThat(uploadThreads()).isZero());
      await().untilAsserted(() -> assertThat(serverAllocator.getAllocatedMemory()).isZero());
    } finally {
      root.detachAppender(logs);
    }
    assertThat(logs.list)
        .filteredOn(
            event ->
                event.getLevel().isGreaterOrEqual(Level.INFO)
                    && !event.getLoggerName().startsWith("dev.flightcluster.server.DataServer"))
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
    assertNothingStoredAndServing("cancelled.parquet");
  }

  private static int readInt(byte[] bytes, int at) {
    return (bytes[at] & 0xff)
        | (bytes[at + 1] & 0xff) << 8
        | (bytes[at + 2] & 0xff) << 16
        | (bytes[at + 3] & 0xff) << 24;
  }

  private static void writeInt(byte[] bytes, int at, int value) {
    for (int i = 0; i < 4; i++) {
      bytes[at + i] = (byte) (value >>> (8 * i));
    }
  }

  private static void writeLong(byte[] bytes, int at, long value) {
    for (int i = 0; i < 8; i++) {
      bytes[at + i] = (byte) (value >>> (8 * i));
    }
  }

  private static byte[] varint(long value) {
    byte[] out = new byte[10];
    int n = 0;
    while ((value & ~0x7fL) != 0) {
      out[n++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out[n++] = (byte) value;
    return java.util.Arrays.copyOf(out, n);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }
}
