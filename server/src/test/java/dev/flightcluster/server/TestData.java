package dev.flightcluster.server;

import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.GeneratedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Parquet fixtures: rows {@code (id, name = "name-<id>")} with consecutive ids. */
public final class TestData {
  public static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("name", new ArrowType.Utf8())));

  private TestData() {}

  /** Writes {@code rows} rows with ids from {@code firstId} to a Parquet file. */
  public static Path write(Path file, long firstId, int rows) throws IOException {
    Files.createDirectories(file.getParent());
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = generated(allocator, firstId, rows, 1000)) {
      ParquetFiles.write(allocator, reader, file);
    }
    return file;
  }

  /** A reader that generates the rows batch by batch, never holding the table. */
  public static ArrowReader generated(
      BufferAllocator allocator, long firstId, int rows, int batchRows) {
    return new GeneratedReader(
        allocator,
        SCHEMA,
        rows,
        batchRows,
        (root, first, count) -> fill(root, firstId + first, count));
  }

  /** Fills {@code root} with rows {@code firstId .. firstId + rows - 1}. */
  public static void fill(VectorSchemaRoot root, long firstId, int rows) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector name = (VarCharVector) root.getVector("name");
    id.allocateNew(rows);
    name.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      id.set(i, firstId + i);
      name.setSafe(i, ("name-" + (firstId + i)).getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(rows);
  }

  /** Reads every row of {@code root} as {@code "<id>:<name>"}. */
  public static List<String> rows(VectorSchemaRoot root) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      out.add(root.getVector("id").getObject(i) + ":" + root.getVector("name").getObject(i));
    }
    return out;
  }

  /**
   * What an upload must not leave in the staging area: anything but the hot cache's folder, which
   * the upload's copy creates there (decisions D88).
   */
  public static Predicate<Path> uploadLeftover() {
    return path -> !path.getFileName().toString().equals("cache");
  }

  public static List<String> expected(long firstId, int rows) {
    List<String> out = new ArrayList<>();
    for (long id = firstId; id < firstId + rows; id++) {
      out.add(id + ":name-" + id);
    }
    return out;
  }
}
