package dev.flightcluster.server.parquet;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a large Parquet file as a sequence of smaller Parquet files, each holding a range of its
 * row groups, so that a scan's memory is bounded by a piece and not by the file (decisions D89).
 *
 * <p>arrow-dataset's Parquet reader pre-buffers column chunks and keeps every chunk it has read
 * until its file ends (apache/arrow#39808), and Arrow Java 18.3 cannot turn pre-buffering off
 * (decisions D13): a slow client of a 1 GB file held the file's bytes. A piece is a hidden sparse
 * file beside the original: the {@code PAR1} magic, the range's column chunks copied at their
 * original offsets by the kernel ({@link FileChannel#transferTo}, no user-space buffer; the bytes
 * before them are a hole that takes no disk), and a footer that lists only the range's row groups.
 * Since the offsets stay where they were, the footer needs no other change. Each piece is scanned
 * and deleted before the next is made, so at most one piece per stream exists at a time.
 *
 * <p>A file of one row group, or no bigger than a piece, is scanned as it is, and so is a file
 * whose footer this class does not understand (the scan then reports what is wrong with it) or
 * beside which no piece can be written (a read-only folder, with one warning). The pieces cut the
 * file into batches at row group boundaries, which a whole-file scan does too, so resume positions
 * (file and row) mean the same with or without pieces.
 */
public final class ParquetPieces {
  private static final Logger log = LoggerFactory.getLogger(ParquetPieces.class);

  /**
   * Column chunk bytes a piece aims at: a few row groups of a typical writer (pyarrow's 1M-row
   * groups of the bench data are ~25 MB). The piece is held in memory while it is read, plus the
   * decoded batches in flight, so this and not the file size bounds a stream.
   */
  public static final long DEFAULT_PIECE_BYTES = 64L << 20;

  /** The prefix of piece files: hidden, so the data dir never lists or serves them. */
  static final String PIECE_PREFIX = ".flight-piece-";

  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private ParquetPieces() {}

  /** An open scan of one Parquet file: its batches, and the native resources behind them. */
  public interface Scan extends AutoCloseable {
    /** The scan's batches; valid until the scan is closed. */
    ArrowReader reader();
  }

  /** Opens a scan of one Parquet file: the caller's scan options (schema, projection, filter). */
  @FunctionalInterface
  public interface Scanner {
    Scan open(Path file);
  }

  /** A range of row groups, {@code [first, end)}, and the file bytes their column chunks cover. */
  record Piece(int first, int end, long rows, long start, long stop) {}

  /**
   * Opens {@code file} for reading in pieces of about {@code pieceBytes} of column chunks, each
   * scanned by {@code scanner}; a file that needs no pieces is scanned whole. The returned scan
   * owns the piece scans and piece files and closes and deletes them.
   */
  public static Scan open(BufferAllocator allocator, Path file, long pieceBytes, Scanner scanner) {
    requireNonNull(allocator, "allocator is null");
    requireNonNull(file, "file is null");
    requireNonNull(scanner, "scanner is null");
    if (pieceBytes <= 0) {
      throw new IllegalArgumentException("pieceBytes must be positive: " + pieceBytes);
    }
    FileMetaData metadata;
    List<Piece> pieces;
    try {
      metadata = ArrowSchemaFooter.parse(ParquetFiles.footer(file));
      pieces = plan(metadata, pieceBytes);
    } catch (IOException | RuntimeException e) {
      // Not a footer we understand: the scan of the whole file reports the problem precisely.
      log.debug("scanning {} whole: {}", file, e.toString());
      return scanner.open(file);
    }
    if (pieces.size() < 2) {
      return scanner.open(file);
    }
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isWritable(dir)) {
      log.warn(
          "cannot write scan pieces beside {}: the whole file is scanned, holding up to its size in"
              + " memory",
          file);
      return scanner.open(file);
    }
    return new PieceScan(new PieceReader(allocator, file, metadata, pieces, scanner));
  }

  /**
   * Cuts the row groups into consecutive ranges of at most {@code pieceBytes} of column chunks
   * each, at least one row group a range.
   *
   * @throws IllegalArgumentException when a row group's chunks are not in this file, or the row
   *     groups are not in file order (then offsets cannot be kept as they are)
   */
  static List<Piece> plan(FileMetaData metadata, long pieceBytes) {
    List<RowGroup> groups = metadata.getRow_groups();
    List<Piece> pieces = new ArrayList<>();
    int first = 0;
    long rows = 0;
    long start = -1;
    long stop = -1;
    long lastStop = 0;
    for (int i = 0; i < groups.size(); i++) {
      long[] range = range(groups.get(i));
      if (range[0] < lastStop) {
        throw new IllegalArgumentException("row group " + i + " overlaps the one before it");
      }
      lastStop = range[1];
      if (start >= 0 && range[1] - start > pieceBytes) {
        pieces.add(new Piece(first, i, rows, start, stop));
        first = i;
        rows = 0;
        start = -1;
      }
      if (start < 0) {
        start = range[0];
      }
      stop = range[1];
      rows += groups.get(i).getNum_rows();
    }
    if (start >= 0) {
      pieces.add(new Piece(first, groups.size(), rows, start, stop));
    }
    return pieces;
  }

  /** The bytes {@code [start, stop)} a row group's column chunks cover. */
  private static long[] range(RowGroup group) {
    long start = Long.MAX_VALUE;
    long stop = Long.MIN_VALUE;
    for (ColumnChunk chunk : group.getColumns()) {
      ColumnMetaData meta = chunk.getMeta_data();
      if (chunk.isSetFile_path() || meta == null) {
        throw new IllegalArgumentException("a column chunk lies in another file");
      }
      long chunkStart = meta.getData_page_offset();
      if (meta.isSetDictionary_page_offset() && meta.getDictionary_page_offset() > 0) {
        chunkStart = Math.min(chunkStart, meta.getDictionary_page_offset());
      }
      start = Math.min(start, chunkStart);
      stop = Math.max(stop, chunkStart + meta.getTotal_compressed_size());
    }
    if (start < MAGIC.length || stop < start) {
      throw new IllegalArgumentException("a row group has no column chunks in the file");
    }
    return new long[] {start, stop};
  }

  /**
   * Writes {@code piece} of {@code file} to {@code target} (which must not exist): the magic, the
   * piece's bytes at their own offsets, and a footer with the piece's row groups only.
   */
  static void write(Path file, FileMetaData metadata, Piece piece, Path target) throws IOException {
    FileMetaData footer = metadata.deepCopy();
    List<RowGroup> groups = new ArrayList<>();
    for (RowGroup group : metadata.getRow_groups().subList(piece.first(), piece.end())) {
      RowGroup copy = group.deepCopy();
      for (ColumnChunk chunk : copy.getColumns()) {
        // Page indexes and bloom filters lie after the last row group, outside the piece.
        chunk.unsetColumn_index_offset();
        chunk.unsetColumn_index_length();
        chunk.unsetOffset_index_offset();
        chunk.unsetOffset_index_length();
        chunk.getMeta_data().unsetBloom_filter_offset();
        chunk.getMeta_data().unsetBloom_filter_length();
      }
      groups.add(copy);
    }
    footer.setRow_groups(groups);
    footer.setNum_rows(piece.rows());
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    Util.writeFileMetaData(footer, encoded);
    byte[] bytes = encoded.toByteArray();
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      writeFully(out, ByteBuffer.wrap(MAGIC), 0);
      out.position(piece.start());
      long position = piece.start();
      while (position < piece.stop()) {
        long copied = in.transferTo(position, piece.stop() - position, out);
        if (copied <= 0) {
          throw new IOException(file + " ended inside its row groups");
        }
        position += copied;
      }
      ByteBuffer tail = ByteBuffer.allocate(bytes.length + 8).order(ByteOrder.LITTLE_ENDIAN);
      tail.put(bytes).putInt(bytes.length).put(MAGIC).flip();
      writeFully(out, tail, piece.stop());
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      position += out.write(buffer, position);
    }
  }

  /** The scan of a file in pieces: closing it closes the piece open now and deletes its file. */
  private record PieceScan(PieceReader reader) implements Scan {
    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /**
   * The batches of every piece in turn, each piece's through its own scan. The root and the
   * dictionaries are the current piece scan's, so they change identity between pieces: callers
   * fetch them after every {@link #loadNextBatch}.
   */
  private static final class PieceReader extends ArrowReader {
    private final Path file;
    private final FileMetaData metadata;
    private final List<Piece> pieces;
    private final Scanner scanner;
    private int next;
    private Scan current;
    private Path currentFile;

    PieceReader(
        BufferAllocator allocator,
        Path file,
        FileMetaData metadata,
        List<Piece> pieces,
        Scanner scanner) {
      super(allocator);
      this.file = file;
      this.metadata = metadata;
      this.pieces = pieces;
      this.scanner = scanner;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      while (true) {
        if (current == null) {
          if (next == pieces.size()) {
            return false;
          }
          openNext();
        }
        if (current.reader().loadNextBatch()) {
          return true;
        }
        closeCurrent();
      }
    }

    private void openNext() throws IOException {
      Piece piece = pieces.get(next++);
      Path target =
          file.toAbsolutePath().resolveSibling(PIECE_PREFIX + UUID.randomUUID() + ".parquet");
      try {
        write(file, metadata, piece, target);
        currentFile = target;
        current = scanner.open(target);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(target);
        currentFile = null;
        throw e;
      }
    }

    private void closeCurrent() throws IOException {
      Scan scan = current;
      Path scanned = currentFile;
      current = null;
      currentFile = null;
      try {
        if (scan != null) {
          scan.close();
        }
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      } finally {
        if (scanned != null) {
          Files.deleteIfExists(scanned);
        }
      }
    }

    private ArrowReader currentReader() {
      if (current == null) {
        try {
          if (next == 0) {
            openNext(); // the schema and root before the first batch, as a plain scan has them
          } else {
            throw new IllegalStateException("no piece is open");
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return current.reader();
    }

    @Override
    public VectorSchemaRoot getVectorSchemaRoot() throws IOException {
      return currentReader().getVectorSchemaRoot();
    }

    @Override
    public Map<Long, Dictionary> getDictionaryVectors() throws IOException {
      return currentReader().getDictionaryVectors();
    }

    @Override
    public Dictionary lookup(long id) {
      return current == null ? null : current.reader().lookup(id);
    }

    @Override
    public Set<Long> getDictionaryIds() {
      return current == null ? Set.of() : current.reader().getDictionaryIds();
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() throws IOException {
      closeCurrent();
    }

    @Override
    protected Schema readSchema() throws IOException {
      return currentReader().getVectorSchemaRoot().getSchema();
    }
  }
}
