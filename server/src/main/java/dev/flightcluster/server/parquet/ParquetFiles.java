package dev.flightcluster.server.parquet;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.dataset.file.DatasetFileWriter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Arrow streams to Parquet files through arrow-dataset, streaming: the writer pulls one
 * batch at a time from the reader, so memory stays bounded by the writer's row group, never the
 * table.
 *
 * <p>Columns the native writer cannot take are converted ({@link WritableColumns}), and the sent
 * Arrow schema is added to the footer ({@link ArrowSchemaFooter}), so Arrow readers get the sent
 * types back. A stream without rows becomes a file of its schema and no row groups. The reader
 * passed in is borrowed: it is read to its end but not closed, and its buffers must come from the
 * same root allocator as {@code allocator} (they are moved, not copied, into the writer).
 */
public final class ParquetFiles {
  private static final Logger log = LoggerFactory.getLogger(ParquetFiles.class);

  /** How long to wait for the native writer to release the batches it was given. */
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);

  /**
   * How much of an upload the native writer may hold unencoded before the reader waits: a few
   * batches, enough to keep it busy, instead of whatever the client managed to send.
   */
  static final long WRITER_IN_FLIGHT_BYTES = 32L << 20;

  /** The native writer's file name pattern; {i} counts files, and it writes exactly one here. */
  private static final String WRITER_TEMPLATE = "data-{i}.parquet";

  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private ParquetFiles() {}

  /** What a write stored. */
  public record Written(Path file, long rows, long batches, long bytes) {}

  /**
   * Writes every batch of {@code reader} to the Parquet file {@code targetFile}, atomically: the
   * data goes to a hidden temporary directory beside the target, is synced to disk, and is then
   * renamed over the target, replacing any file already there. Readers see the old file or the new
   * one, never a part; after a failure nothing is left behind.
   *
   * @throws IllegalArgumentException when the schema holds a type Parquet cannot store
   */
  public static Written write(BufferAllocator allocator, ArrowReader reader, Path targetFile)
      throws IOException {
    requireNonNull(targetFile, "targetFile is null");
    Path target = targetFile.toAbsolutePath();
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path temp = parent.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Written written = writeInto(allocator, reader, temp, "part-0.parquet");
      Files.move(
          written.file(),
          target,
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      fsync(parent);
      return new Written(target, written.rows(), written.batches(), written.bytes());
    } finally {
      deleteRecursively(temp);
    }
  }

  /**
   * Writes every batch of {@code reader} to {@code newDir/fileName}, creating {@code newDir}, which
   * must not exist yet, and syncs the file and the directory to disk. It is the building block of
   * atomic writes: the caller renames the file or the directory into place afterwards.
   *
   * @throws IllegalArgumentException when the schema holds a type Parquet cannot store, or the
   *     reader holds no rows
   * @throws java.nio.file.FileAlreadyExistsException when {@code newDir} exists
   */
  public static Written writeInto(
      BufferAllocator allocator, ArrowReader reader, Path newDir, String fileName)
      throws IOException {
    requireNonNull(allocator, "allocator is null");
    requireNonNull(reader, "reader is null");
    requireNonNull(newDir, "newDir is null");
    requireNonNull(fileName, "fileName is null");
    if (fileName.contains("/") || fileName.contains("{")) {
      throw new IllegalArgumentException("fileName must be a plain file name: " + fileName);
    }
    checkWritable(reader.getVectorSchemaRoot().getSchema());
    Path dir = newDir.toAbsolutePath();
    Files.createDirectory(dir);
    DrainWatcher drain = new DrainWatcher();
    BufferAllocator writeAllocator =
        allocator.newChildAllocator("parquet-write", drain, 0, Long.MAX_VALUE);
    boolean drained = false;
    try {
      // The C stream export closes the reader when the native side releases it, maybe later and
      // from another thread, so this method never closes it itself.
      ExportReader export =
          new ExportReader(writeAllocator, reader, drain, WRITER_IN_FLIGHT_BYTES, DRAIN_LIMIT);
      try {
        DatasetFileWriter.write(
            writeAllocator,
            export,
            FileFormat.PARQUET,
            dir.toUri().toString(),
            new String[0],
            1,
            WRITER_TEMPLATE);
      } finally {
        drained = awaitDrained(drain, writeAllocator);
      }
      Path produced = dir.resolve(WRITER_TEMPLATE.replace("{i}", "0"));
      if (export.rows() == 0) {
        // arrow-dataset's writer opens a file only for a batch with rows.
        return writeEmpty(allocator, reader, dir, fileName);
      }
      if (!Files.isRegularFile(produced)) {
        throw new IOException("the Parquet writer produced no file in " + dir);
      }
      // After the write, when every dictionary the stream sent is known, so the stored schema can
      // name their value types.
      Schema exact = StoredSchema.of(reader);
      ArrowSchemaFooter.store(produced, exact, StoredSchema.readable(exact));
      Path file = dir.resolve(fileName);
      if (!produced.equals(file)) {
        Files.move(produced, file);
      }
      fsync(file);
      fsync(dir);
      return new Written(file, export.rows(), export.batches(), export.bytes());
    } finally {
      if (drained) {
        writeAllocator.close();
      }
    }
  }

  /** An upload without rows: a Parquet file of its schema with no row groups. */
  private static Written writeEmpty(
      BufferAllocator allocator, ArrowReader reader, Path dir, String fileName) throws IOException {
    Schema exact = StoredSchema.of(reader);
    List<Field> writable = new ArrayList<>();
    for (Field field : reader.getVectorSchemaRoot().getSchema().getFields()) {
      writable.add(WritableColumns.writable(field, reader));
    }
    Path oneRowDir = dir.resolve(".one-row");
    try (OneRowReader oneRow =
        new OneRowReader(allocator, new Schema(writable, exact.getCustomMetadata()))) {
      Path written = writeInto(allocator, oneRow, oneRowDir, fileName).file();
      ArrowSchemaFooter.store(written, exact, StoredSchema.readable(exact));
      ArrowSchemaFooter.dropRowGroups(written);
      Path file = dir.resolve(fileName);
      Files.move(written, file);
      fsync(file);
      fsync(dir);
      return new Written(file, 0, 0, 0);
    } finally {
      deleteRecursively(oneRowDir);
    }
  }

  private static boolean awaitDrained(DrainWatcher drain, BufferAllocator writeAllocator) {
    try {
      if (drain.awaitEmpty(writeAllocator, DRAIN_LIMIT)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Closing an allocator that still lends memory would fail now and again when the native side
    // releases it; leaving it open only leaks the accounting of this one write.
    log.warn(
        "the native Parquet writer still holds {} bytes after {}; leaving its allocator open",
        writeAllocator.getAllocatedMemory(),
        DRAIN_LIMIT);
    return false;
  }

  /**
   * Checks that Parquet can store every column of {@code schema}.
   *
   * @throws IllegalArgumentException naming the first column it cannot store, or when the schema
   *     has no columns
   */
  public static void checkWritable(Schema schema) {
    requireNonNull(schema, "schema is null");
    if (schema.getFields().isEmpty()) {
      throw new IllegalArgumentException("the schema has no columns; Parquet needs at least one");
    }
    for (Field field : schema.getFields()) {
      checkWritable(field, field.getName(), true);
    }
  }

  private static void checkWritable(Field field, String path, boolean topLevel) {
    if (!topLevel && field.getDictionary() != null) {
      throw new IllegalArgumentException(
          "column '" + path + "' is a nested dictionary-encoded field, which is not supported");
    }
    ArrowType.ArrowTypeID id = field.getType().getTypeID();
    switch (id) {
      case Union, Interval, ListView, LargeListView, RunEndEncoded ->
          throw new IllegalArgumentException(
              "column '" + path + "' has type " + field.getType() + ", which Parquet cannot store");
      // Converted for the writer at the top level only (WritableColumns).
      case Utf8View, BinaryView -> {
        if (!topLevel) {
          throw new IllegalArgumentException(
              "column '"
                  + path
                  + "' has type "
                  + field.getType()
                  + " inside a nested type, which this server cannot store; send it as "
                  + (id == ArrowType.ArrowTypeID.Utf8View ? "string" : "binary")
                  + " or at the top level");
        }
      }
      default -> {}
    }
    for (Field child : field.getChildren()) {
      checkWritable(child, path + "." + child.getName(), false);
    }
  }

  /** An arrow-dataset factory over Parquet {@code files}; the caller closes it. */
  public static FileSystemDatasetFactory datasetFactory(
      BufferAllocator allocator, List<Path> files) {
    String[] uris = files.stream().map(file -> file.toUri().toString()).toArray(String[]::new);
    return new FileSystemDatasetFactory(
        allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, uris);
  }

  /**
   * The footer of a Parquet file: the Thrift-encoded file metadata that precedes the 4-byte length
   * and the {@code PAR1} magic at the end of the file. It holds the schema, row groups, statistics
   * and offsets, so it identifies the content without reading the data.
   *
   * @throws IOException when the file cannot be read or is not a plain (unencrypted) Parquet file
   */
  public static byte[] footer(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < 12) {
        throw new IOException(file + " is too short to be a Parquet file (" + size + " bytes)");
      }
      ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, tail, size - 8);
      byte[] magic = new byte[4];
      tail.get(4, magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + " does not end with the Parquet magic PAR1");
      }
      long length = Integer.toUnsignedLong(tail.getInt(0));
      if (length == 0 || length > size - 12) {
        throw new IOException(file + " has an invalid Parquet footer length " + length);
      }
      ByteBuffer footer = ByteBuffer.allocate((int) length);
      readFully(channel, footer, size - 8 - length);
      return footer.array();
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    buffer.flip();
  }

  /** Syncs a file or a directory (its entries) to disk. */
  public static void fsync(Path path) throws IOException {
    boolean directory = Files.isDirectory(path);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!directory) {
        throw e;
      }
      // Some platforms cannot open a directory; there the rename is as durable as it gets.
      log.debug("cannot sync directory {}: {}", path, e.toString());
    }
  }

  /** Deletes a file or a directory tree; a missing path is fine. */
  public static void deleteRecursively(Path path) throws IOException {
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure)
                throws IOException {
              if (failure != null) {
                throw failure;
              }
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException e) {
      // Already gone.
    }
  }
}
