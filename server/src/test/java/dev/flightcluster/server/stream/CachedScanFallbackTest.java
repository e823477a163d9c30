package dev.flightcluster.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.server.TestData;
import dev.flightcluster.server.cache.HotCache;
import dev.flightcluster.server.store.Dataset;
import dev.flightcluster.server.store.DatasetStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A stream reading a file's hot cache copy that fails mid-file goes on from the Parquet file at the
 * same row: the rows and resume positions are those of a stream that never had a copy, and the
 * failure costs one WARN, not one per batch (decisions D87).
 */
@Timeout(120)
class CachedScanFallbackTest {
  private static final int ROWS = 20_000;
  private static final int BATCH_ROWS = 100;
  private static final DatasetName NAME = DatasetName.of("big.parquet");

  @TempDir Path dataDir;
  @TempDir Path cacheDir;
  private BufferAllocator allocator;
  private DatasetStore store;
  private HotCache cache;
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger cacheLog = (Logger) LoggerFactory.getLogger(HotCache.class);

  @BeforeEach
  void setUp() throws IOException {
    allocator = new RootAllocator();
    TestData.write(dataDir.resolve(NAME.value()), 0, ROWS);
    store = DatasetStore.open(allocator, dataDir);
    cache = HotCache.open(allocator, cacheDir, 1L << 30, BATCH_ROWS);
    logged.start();
    cacheLog.addAppender(logged);
  }

  @AfterEach
  void tearDown() {
    cacheLog.detachAppender(logged);
    cache.close();
    allocator.close();
  }

  @Test
  void aCopyTruncatedMidStreamGivesWayToTheParquetFileAtTheSameRow() throws Exception {
    Path copy = cached();
    List<String> rows = new ArrayList<>();
    List<ResumePosition> positions = new ArrayList<>();
    try (FileSequenceReader reader = reader()) {
      assertThat(reader.loadNextBatch()).isTrue();
      collect(reader, rows, positions);
      assertThat(cache.hits()).isEqualTo(1);
      try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        channel.truncate(channel.size() / 2);
      }
      while (reader.loadNextBatch()) {
        collect(reader, rows, positions);
      }
    }

    assertThat(rows).containsExactlyElementsOf(TestData.expected(0, ROWS));
    assertThat(positions)
        .containsExactlyElementsOf(
            Stream.iterate(BATCH_ROWS, row -> row <= ROWS, row -> row + BATCH_ROWS)
                .map(row -> new ResumePosition(NAME.value(), row))
                .toList());
    assertThat(warnings()).hasSize(1);
    assertThat(warnings().getFirst()).contains(copy.toString());
    assertThat(cache.entries()).isZero();
    assertThat(copy).doesNotExist();
  }

  @Test
  void aCopyDeletedMidStreamStillEndsTheStreamWithEveryRow() throws Exception {
    Path copy = cached();
    List<String> rows = new ArrayList<>();
    List<ResumePosition> positions = new ArrayList<>();
    try (FileSequenceReader reader = reader()) {
      assertThat(reader.loadNextBatch()).isTrue();
      collect(reader, rows, positions);
      Files.delete(copy);
      while (reader.loadNextBatch()) {
        collect(reader, rows, positions);
      }
    }

    assertThat(rows).containsExactlyElementsOf(TestData.expected(0, ROWS));
    assertThat(positions.getLast()).isEqualTo(new ResumePosition(NAME.value(), ROWS));
    assertThat(warnings()).hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void aCorruptCopyIsNeverOpenedAndTheStreamReadsParquet() throws Exception {
    Path copy = cached();
    Files.write(copy, new byte[] {'n', 'o', 't', ' ', 'a', 'r', 'r', 'o', 'w'});
    List<String> rows = new ArrayList<>();
    try (FileSequenceReader reader = reader()) {
      while (reader.loadNextBatch()) {
        collect(reader, rows, new ArrayList<>());
      }
    }

    assertThat(rows).containsExactlyElementsOf(TestData.expected(0, ROWS));
    assertThat(warnings()).hasSize(1);
    assertThat(cache.entries()).isZero();
  }

  @Test
  void aResumedStreamSkipsTheSameRowsInTheCopy() throws Exception {
    cached();
    Dataset dataset = store.find(NAME);
    ResumePosition at = new ResumePosition(NAME.value(), 12_345);
    StreamPlan plan = StreamPlan.of(dataset, DatasetTicket.whole(NAME).resumeAt(at), store);
    List<String> rows = new ArrayList<>();
    try (FileSequenceReader reader = new FileSequenceReader(allocator, plan, BATCH_ROWS, cache)) {
      while (reader.loadNextBatch()) {
        collect(reader, rows, new ArrayList<>());
      }
    }

    assertThat(cache.hits()).isEqualTo(1);
    assertThat(rows).containsExactlyElementsOf(TestData.expected(12_345, ROWS - 12_345));
  }

  /** Has the cache copy the file, and returns the copy. */
  private Path cached() throws IOException {
    Dataset dataset = store.find(NAME);
    cache.admit(dataset.files().getFirst(), RestoredColumns.scanSchema(dataset.fileSchema()));
    await().atMost(Duration.ofSeconds(60)).until(() -> cache.entries() == 1);
    try (Stream<Path> files = Files.list(cacheDir)) {
      return files.filter(file -> file.toString().endsWith(".arrow")).findFirst().orElseThrow();
    }
  }

  private FileSequenceReader reader() {
    Dataset dataset = store.find(NAME);
    return new FileSequenceReader(
        allocator, StreamPlan.of(dataset, DatasetTicket.whole(NAME), store), BATCH_ROWS, cache);
  }

  private static void collect(
      FileSequenceReader reader, List<String> rows, List<ResumePosition> positions)
      throws IOException {
    rows.addAll(TestData.rows(reader.getVectorSchemaRoot()));
    positions.add(reader.position());
  }

  private List<String> warnings() {
    return logged.list.stream()
        .filter(event -> event.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
