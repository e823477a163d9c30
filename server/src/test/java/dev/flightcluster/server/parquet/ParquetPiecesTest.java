package dev.flightcluster.server.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.testing.GeneratedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.format.FileMetaData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetPiecesTest {
  private static final Schema SCHEMA =
      new Schema(List.of(Field.notNullable("x", new ArrowType.Int(64, true))));

  /** arrow-dataset's writer makes a row group of each 32,768 rows it is handed: eight here. */
  private static final int ROWS = 200_000;

  @TempDir static Path dir;

  private static Path file;

  @BeforeAll
  static void writeAFileOfThreeRowGroups() throws Exception {
    file = dir.resolve("data").resolve("three.parquet");
    try (BufferAllocator allocator = new RootAllocator();
        GeneratedReader source =
            new GeneratedReader(
                allocator,
                SCHEMA,
                ROWS,
                50_000,
                (batch, first, count) -> {
                  BigIntVector x = (BigIntVector) batch.getVector(0);
                  x.allocateNew(count);
                  for (int i = 0; i < count; i++) {
                    x.set(i, first + i);
                  }
                  batch.setRowCount(count);
                })) {
      ParquetFiles.write(allocator, source, file);
    }
  }

  @Test
  void planCutsAtRowGroupsWithinTheByteTarget() throws Exception {
    FileMetaData metadata = ArrowSchemaFooter.parse(ParquetFiles.footer(file));
    int groups = metadata.getRow_groups().size();
    assertThat(groups).isEqualTo(8);
    long twoGroups =
        ParquetPieces.plan(metadata, 1).get(1).stop()
            - metadata
                .getRow_groups()
                .get(0)
                .getColumns()
                .get(0)
                .getMeta_data()
                .getDictionary_page_offset();

    List<ParquetPieces.Piece> one = ParquetPieces.plan(metadata, 1);
    List<ParquetPieces.Piece> two = ParquetPieces.plan(metadata, twoGroups);
    List<ParquetPieces.Piece> all = ParquetPieces.plan(metadata, Long.MAX_VALUE);

    assertThat(one).hasSize(groups);
    assertThat(one)
        .extracting(ParquetPieces.Piece::rows)
        .containsExactly(32_768L, 17_232L, 32_768L, 17_232L, 32_768L, 17_232L, 32_768L, 17_232L);
    for (int i = 1; i < groups; i++) {
      assertThat(one.get(i - 1).stop()).isLessThanOrEqualTo(one.get(i).start());
    }
    assertThat(two).extracting(ParquetPieces.Piece::rows).containsOnly(50_000L).hasSize(4);
    assertThat(all).hasSize(1);
    assertThat(all.get(0).rows()).isEqualTo(ROWS);
  }

  @Test
  void piecesReadEveryRowInOrderAndLeaveNoPieceFileBehind() throws Exception {
    List<Path> opened = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      long expected = 0;
      try (ParquetPieces.Scan scan =
          ParquetPieces.open(
              allocator,
              file,
              1,
              piece -> {
                opened.add(piece);
                return scan(allocator, piece);
              })) {
        ArrowReader reader = scan.reader();
        while (reader.loadNextBatch()) {
          BigIntVector x = (BigIntVector) reader.getVectorSchemaRoot().getVector(0);
          for (int i = 0; i < x.getValueCount(); i++) {
            assertThat(x.get(i)).isEqualTo(expected++);
          }
        }
      }
      assertThat(expected).isEqualTo(ROWS);
    }
    assertThat(opened).hasSize(8).doesNotContain(file);
    assertThat(opened).allSatisfy(piece -> assertThat(piece).doesNotExist());
    try (var entries = Files.list(file.getParent())) {
      assertThat(entries).containsExactly(file);
    }
  }

  @Test
  void piecesCutTheSameBatchesAsAWholeFileScan() throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      assertThat(batchSizes(allocator, 1)).isEqualTo(batchSizes(allocator, Long.MAX_VALUE));
    }
  }

  /** The row counts of the batches a scan in pieces of {@code pieceBytes} yields, in order. */
  private static List<Integer> batchSizes(BufferAllocator allocator, long pieceBytes)
      throws Exception {
    List<Integer> sizes = new ArrayList<>();
    try (ParquetPieces.Scan scan =
        ParquetPieces.open(allocator, file, pieceBytes, piece -> scan(allocator, piece))) {
      while (scan.reader().loadNextBatch()) {
        sizes.add(scan.reader().getVectorSchemaRoot().getRowCount());
      }
    }
    return sizes;
  }

  @Test
  void aFileWithinOnePieceIsScannedAsItIs() throws Exception {
    List<Path> opened = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        ParquetPieces.Scan scan =
            ParquetPieces.open(
                allocator,
                file,
                ParquetPieces.DEFAULT_PIECE_BYTES,
                piece -> {
                  opened.add(piece);
                  return scan(allocator, piece);
                })) {
      long rows = 0;
      while (scan.reader().loadNextBatch()) {
        rows += scan.reader().getVectorSchemaRoot().getRowCount();
      }
      assertThat(rows).isEqualTo(ROWS);
    }
    assertThat(opened).containsExactly(file);
  }

  @Test
  void closingMidPieceDeletesThePieceFile() throws Exception {
    List<Path> opened = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      try (ParquetPieces.Scan scan =
          ParquetPieces.open(
              allocator,
              file,
              1,
              piece -> {
                opened.add(piece);
                return scan(allocator, piece);
              })) {
        assertThat(scan.reader().loadNextBatch()).isTrue();
        assertThat(opened).singleElement().satisfies(piece -> assertThat(piece).exists());
      }
    }
    assertThat(opened).singleElement().satisfies(piece -> assertThat(piece).doesNotExist());
  }

  private static ParquetPieces.Scan scan(BufferAllocator allocator, Path file) {
    FileSystemDatasetFactory factory = ParquetFiles.datasetFactory(allocator, List.of(file));
    Dataset dataset = factory.finish();
    org.apache.arrow.dataset.scanner.Scanner scanner = dataset.newScan(new ScanOptions(65_536));
    ArrowReader reader = scanner.scanBatches();
    return new ParquetPieces.Scan() {
      @Override
      public ArrowReader reader() {
        return reader;
      }

      @Override
      public void close() throws Exception {
        AutoCloseables.close(reader, scanner, dataset, factory);
      }
    };
  }
}
