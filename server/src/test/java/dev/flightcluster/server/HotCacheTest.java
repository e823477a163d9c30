package dev.flightcluster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.ResumeToken;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.server.cache.HotCache;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.server.store.DatasetStore;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The hot cache through DoGet and DoPut (decisions D86, D87): what enters it and when, what leaves
 * it, and that a stream sends the same values from a copy as from Parquet, or falls back to Parquet
 * with one WARN whatever happens to the copies.
 */
@Timeout(180)
class HotCacheTest {
  private static final int BATCH_ROWS = 500;
  private static final Duration WRITTEN = Duration.ofSeconds(60);

  @TempDir Path dataDir;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private final List<Running> running = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger cacheLog = (Logger) LoggerFactory.getLogger(HotCache.class);
  private BufferAllocator clientAllocator;

  /** A server and a client of it. */
  private record Running(BufferAllocator allocator, DataServer server, TracedFlightClient client)
      implements AutoCloseable {
    FlightClient flight() {
      return client.flightClient();
    }

    HotCache cache() {
      return server.cache();
    }

    @Override
    public void close() throws Exception {
      client.close();
      server.close();
      allocator.close();
    }
  }

  @BeforeEach
  void setUp() {
    clientAllocator = new RootAllocator();
    logged.start();
    cacheLog.addAppender(logged);
  }

  @AfterEach
  void tearDown() throws Exception {
    cacheLog.detachAppender(logged);
    for (Running each : running.reversed()) {
      each.close();
    }
    clientAllocator.close();
    telemetry.close();
    clientTelemetry.close();
  }

  @Test
  void aFileEntersOnItsSecondReadAndIsThenServedFromItsCopyWithTheSameValues() throws Exception {
    TestData.write(dataDir.resolve("events/a.parquet"), 0, 3000);
    TestData.write(dataDir.resolve("events/b.parquet"), 3000, 1200);
    Running server = start(1L << 30);
    Ticket events = Tickets.of(DatasetTicket.whole(DatasetName.of("events")));

    List<Batch> first = read(server, events);
    assertThat(server.cache().misses()).isEqualTo(2);
    assertThat(copies()).isEmpty();

    assertSame(read(server, events), first);
    await().atMost(WRITTEN).until(() -> server.cache().entries() == 2);
    assertThat(copies()).hasSize(2);

    assertSame(read(server, events), first);
    assertThat(server.cache().hits()).isEqualTo(2);
    assertThat(server.cache().misses()).isEqualTo(4);
    assertThat(server.cache().bytes())
        .isEqualTo(copies().stream().mapToLong(HotCacheTest::size).sum());
    assertThat(warnings()).isEmpty();
  }

  @Test
  void anUploadEntersWithoutBeingReadAndEveryTypeHasTheSameValuesThroughBothPaths()
      throws Exception {
    Running cached = start(1L << 30);
    for (int batches : new int[] {1, 3}) {
      put(cached, "all-" + batches + ".parquet", batches);
    }
    await().atMost(WRITTEN).until(() -> cached.cache().entries() == 2);
    Running parquet = start(0);

    for (String name : List.of("all-1.parquet", "all-3.parquet")) {
      Ticket ticket = Tickets.of(DatasetTicket.whole(DatasetName.of(name)));
      List<Batch> fromCopy = read(cached, ticket);
      List<Batch> fromParquet = read(parquet, ticket);
      assertThat(fromCopy).isNotEmpty();
      assertSame(fromCopy, fromParquet);
    }
    // One row group keeps the dictionaries, which the copy holds too.
    assertThat(read(cached, Tickets.of(DatasetTicket.whole(DatasetName.of("all-1.parquet")))))
        .allSatisfy(batch -> assertThat(batch.dictionaries()).isNotEmpty());
    assertThat(cached.cache().hits()).isEqualTo(3);
    assertThat(cached.cache().misses()).isZero();
  }

  @Test
  void theLeastRecentlyUsedCopyLeavesFirstAtTheSizeCap() throws Exception {
    for (String name : List.of("a", "b", "c")) {
      TestData.write(dataDir.resolve(name + ".parquet"), 0, 2000);
    }
    Running measuring = start(1L << 30);
    readTwiceAndAwaitCopy(measuring, "a.parquet", 1);
    long copySize = measuring.cache().bytes();
    stop(measuring);
    // Room for two copies, not three; the copy of a is found again at the restart.
    Running server = start(copySize * 5 / 2);
    assertThat(server.cache().entries()).isEqualTo(1);
    Path copyOfA = copies().getFirst();
    readTwiceAndAwaitCopy(server, "b.parquet", 2);
    Path copyOfB =
        copies().stream().filter(copy -> !copy.equals(copyOfA)).findFirst().orElseThrow();
    read(server, ticket("a.parquet")); // a is now used more recently than b
    long hits = server.cache().hits();
    assertThat(hits).isEqualTo(1);

    read(server, ticket("c.parquet"));
    read(server, ticket("c.parquet"));
    await().atMost(WRITTEN).until(() -> !Files.exists(copyOfB));

    assertThat(copies()).hasSize(2).contains(copyOfA);

    assertThat(server.cache().bytes()).isLessThanOrEqualTo(copySize * 5 / 2);
    read(server, ticket("a.parquet"));
    read(server, ticket("c.parquet"));
    assertThat(server.cache().hits()).isEqualTo(hits + 2);
    long misses = server.cache().misses();
    read(server, ticket("b.parquet"));
    assertThat(server.cache().misses()).isEqualTo(misses + 1);
  }

  @Test
  void aChangedParquetFileIsNeverServedFromItsOldCopy() throws Exception {
    Path file = TestData.write(dataDir.resolve("sales.parquet"), 0, 1000);
    Running server = start(1L << 30);
    readTwiceAndAwaitCopy(server, "sales.parquet", 1);
    Path oldCopy = copies().getFirst();

    // Same size and rows, other values: only the footer's statistics tell them apart.
    FileTime modified = Files.getLastModifiedTime(file);
    Path next = TestData.write(dataDir.resolve("next/sales.parquet"), 5000, 1000);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.setLastModifiedTime(file, FileTime.from(modified.toInstant().plusSeconds(1)));

    assertThat(rows(read(server, ticket("sales.parquet"))))
        .containsExactlyElementsOf(TestData.expected(5000, 1000));
    assertThat(oldCopy).doesNotExist();
    assertThat(server.cache().hits()).isZero();
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aCorruptCopyFallsBackToParquetWithOneWarning() throws Exception {
    TestData.write(dataDir.resolve("sales.parquet"), 0, 3000);
    Running server = start(1L << 30);
    readTwiceAndAwaitCopy(server, "sales.parquet", 1);
    Path copy = copies().getFirst();
    byte[] bytes = Files.readAllBytes(copy);
    Files.write(copy, Arrays.copyOf(bytes, bytes.length / 3)); // a write cut short

    for (int i = 0; i < 2; i++) {
      assertThat(rows(read(server, ticket("sales.parquet"))))
          .containsExactlyElementsOf(TestData.expected(0, 3000));
    }
    assertThat(warnings()).hasSize(1);
    assertThat(copy).doesNotExist();
  }

  @Test
  void aDeletedCacheFolderFallsBackWithOneWarningAndTheCacheStartsAfresh() throws Exception {
    TestData.write(dataDir.resolve("a.parquet"), 0, 1000);
    TestData.write(dataDir.resolve("b.parquet"), 1000, 1000);
    Running server = start(1L << 30);
    readTwiceAndAwaitCopy(server, "a.parquet", 1);
    readTwiceAndAwaitCopy(server, "b.parquet", 2);
    ParquetFiles.deleteRecursively(cacheDir());

    assertThat(rows(read(server, ticket("a.parquet"))))
        .containsExactlyElementsOf(TestData.expected(0, 1000));
    assertThat(rows(read(server, ticket("b.parquet"))))
        .containsExactlyElementsOf(TestData.expected(1000, 1000));
    assertThat(warnings()).hasSize(1).first().asString().contains("is gone");

    // Both were read twice before: their next reads from Parquet copy them again.
    read(server, ticket("a.parquet"));
    await().atMost(WRITTEN).until(() -> server.cache().entries() == 2);
    assertThat(copies()).hasSize(2);
    assertThat(warnings()).hasSize(1);
  }

  @Test
  void whatAnInterruptedWriteLeftIsDeletedAtStartAndNeverServed() throws Exception {
    TestData.write(dataDir.resolve("sales.parquet"), 0, 1000);
    Running first = start(1L << 30);
    readTwiceAndAwaitCopy(first, "sales.parquet", 1);
    stop(first);
    Path copy = copies().getFirst();
    byte[] bytes = Files.readAllBytes(copy);
    Path tmp = copy.resolveSibling(copy.getFileName() + ".tmp");
    Path half = copy.resolveSibling("0123-half.arrow");
    Files.write(tmp, Arrays.copyOf(bytes, bytes.length / 2));
    Files.write(half, Arrays.copyOf(bytes, bytes.length / 2));
    Files.delete(copy);

    Running server = start(1L << 30);

    assertThat(tmp).doesNotExist();
    assertThat(half).doesNotExist();
    assertThat(server.cache().entries()).isZero();
    assertThat(rows(read(server, ticket("sales.parquet"))))
        .containsExactlyElementsOf(TestData.expected(0, 1000));
    assertThat(server.cache().hits()).isZero();
  }

  @Test
  void aCacheSizeOfZeroTurnsTheCacheOff() throws Exception {
    TestData.write(dataDir.resolve("sales.parquet"), 0, 1000);
    Running server = start(0);

    for (int i = 0; i < 3; i++) {
      read(server, ticket("sales.parquet"));
    }
    put(server, "all.parquet", 1);

    assertThat(server.cache().enabled()).isFalse();
    assertThat(server.cache().hits()).isZero();
    assertThat(cacheDir()).doesNotExist();
  }

  @Test
  void theCacheFolderIsNeverListedAsData() throws Exception {
    TestData.write(dataDir.resolve("sales.parquet"), 0, 1000);
    Running server = start(1L << 30);
    readTwiceAndAwaitCopy(server, "sales.parquet", 1);

    List<String> listed = new ArrayList<>();
    server
        .flight()
        .listFlights(org.apache.arrow.flight.Criteria.ALL)
        .forEach(info -> listed.add(info.getDescriptor().getPath().getFirst()));
    assertThat(listed).containsExactly("sales.parquet");
  }

  private Running start(long cacheBytes) throws IOException {
    BufferAllocator allocator = new RootAllocator();
    DataServer server =
        DataServer.builder(allocator, telemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-" + running.size())
            .batchRows(BATCH_ROWS)
            .heartbeatInterval(Duration.ofMillis(100))
            .cacheBytes(cacheBytes)
            .build();
    Running started =
        new Running(
            allocator,
            server,
            clientTelemetry
                .flightTelemetry()
                .connect(clientAllocator, server.advertisedLocation()));
    running.add(started);
    return started;
  }

  private void stop(Running server) throws Exception {
    running.remove(server);
    server.close();
  }

  private Path cacheDir() {
    return dataDir.resolve(DatasetStore.STAGING_DIR).resolve("cache");
  }

  private List<Path> copies() throws IOException {
    if (!Files.isDirectory(cacheDir())) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(cacheDir())) {
      return files.filter(file -> file.toString().endsWith(".arrow")).sorted().toList();
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void readTwiceAndAwaitCopy(Running server, String name, int entries) throws Exception {
    read(server, ticket(name));
    read(server, ticket(name));
    await().atMost(WRITTEN).until(() -> server.cache().entries() == entries);
  }

  private static Ticket ticket(String name) {
    return Tickets.of(DatasetTicket.whole(DatasetName.of(name)));
  }

  private List<String> warnings() {
    return logged.list.stream()
        .filter(event -> event.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** One batch as received: its schema, the stream's dictionaries then, its token and values. */
  private record Batch(
      Schema schema, List<List<String>> dictionaries, ResumeToken token, List<String> rows) {}

  /**
   * The same batches: tokens, values, schemas and dictionaries. Not the raw buffers: what they hold
   * past a batch's length or under a null is undefined in Arrow, and differs between the readers.
   */
  private static void assertSame(List<Batch> actual, List<Batch> expected) {
    assertThat(actual)
        .extracting(Batch::token)
        .isEqualTo(expected.stream().map(Batch::token).toList());
    assertThat(rows(actual)).isEqualTo(rows(expected));
    for (int i = 0; i < actual.size(); i++) {
      assertThat(actual.get(i).schema()).isEqualTo(expected.get(i).schema());
      assertThat(actual.get(i).dictionaries()).isEqualTo(expected.get(i).dictionaries());
    }
  }

  private static List<String> rows(List<Batch> batches) {
    return batches.stream().flatMap(batch -> batch.rows().stream()).toList();
  }

  private static List<Batch> read(Running server, Ticket ticket) throws Exception {
    List<Batch> batches = new ArrayList<>();
    try (FlightStream stream = server.flight().getStream(ticket)) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        ArrowBuf metadata = stream.getLatestMetadata();
        byte[] token = new byte[(int) metadata.readableBytes()];
        metadata.getBytes(0, token);
        List<List<String>> dictionaries = new ArrayList<>();
        DictionaryProvider provider = stream.getDictionaryProvider();
        for (long id : provider.getDictionaryIds()) {
          ValueVector values = provider.lookup(id).getVector();
          List<String> entries = new ArrayList<>();
          for (int i = 0; i < values.getValueCount(); i++) {
            entries.add(text(values.getObject(i)));
          }
          dictionaries.add(entries);
        }
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < root.getRowCount(); i++) {
          StringBuilder row = new StringBuilder();
          for (int c = 0; c < root.getFieldVectors().size(); c++) {
            row.append(c == 0 ? "" : ":").append(text(root.getVector(c).getObject(i)));
          }
          rows.add(row.toString());
        }
        batches.add(
            new Batch(root.getSchema(), dictionaries, ResumeToken.fromAppMetadata(token), rows));
      }
    }
    return batches;
  }

  private static String text(Object value) {
    return value instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(value);
  }

  /** Uploads {@code batches} batches of every type, each a row group of its own. */
  private void put(Running server, String name, int batches) throws Exception {
    try (DictionaryProvider.MapDictionaryProvider dictionaries =
            AllTypes.dictionaries(clientAllocator);
        VectorSchemaRoot root = VectorSchemaRoot.create(AllTypes.schema(), clientAllocator)) {
      FlightClient.ClientStreamListener put =
          server
              .flight()
              .startPut(FlightDescriptor.path(name), root, dictionaries, new AsyncPutListener());
      for (int b = 0; b < batches; b++) {
        AllTypes.fill(root);
        put.putNext();
      }
      put.completed();
      put.getResult();
    }
  }
}
