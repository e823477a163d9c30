package dev.flightcluster.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The library-limit server and both bench clients, in process, on a small file with every layout
 * the bench dataset has (fixed width, variable width with nulls, dictionary): the clients must
 * count the rows and Arrow bytes the file holds, and no allocator may leak.
 */
class BenchRoundTripTest {
  private static final int BATCHES = 3;
  private static final int ROWS = 1000;
  private static final String NAME = "small.parquet";

  @TempDir Path dir;

  @Test
  void arrowBytesCountsValuesOffsetsAndBitmapsOfBatchesWithNulls() {
    try (BufferAllocator allocator = new RootAllocator();
        BigIntVector ids = new BigIntVector("id", allocator);
        VarCharVector names = new VarCharVector("name", allocator)) {
      ids.allocateNew(3);
      names.allocateNew(3);
      for (int i = 0; i < 3; i++) {
        ids.set(i, i);
      }
      names.setSafe(0, "ab".getBytes(StandardCharsets.UTF_8));
      names.setNull(1);
      names.setSafe(2, "cde".getBytes(StandardCharsets.UTF_8));
      ids.setValueCount(3);
      names.setValueCount(3);
      // ids: 3 x 8, no nulls so no bitmap; names: 4 offsets x 4 + 5 value bytes + 1 bitmap byte.
      assertThat(ArrowBytes.of(ids)).isEqualTo(24);
      assertThat(ArrowBytes.of(names)).isEqualTo(16 + 5 + 1);
    }
  }

  @Test
  @SuppressWarnings("try") // FlightServer.close() declares InterruptedException
  void clientsMoveEveryRowAndByteOfThePreloadedFile() throws Exception {
    Path file = dir.resolve("small.arrow");
    long expectedBytes = writeFile(file);
    try (BufferAllocator allocator = new RootAllocator()) {
      try (BufferAllocator datasetAllocator =
              allocator.newChildAllocator("dataset", 0, Long.MAX_VALUE);
          PreloadedDataset dataset = PreloadedDataset.load(datasetAllocator, file)) {
        assertThat(dataset.rows()).isEqualTo((long) BATCHES * ROWS);
        assertThat(dataset.arrowBytes()).isEqualTo(expectedBytes);
        try (var producer = new PreloadedFlightProducer(allocator, dataset, NAME, 10_000, false);
            FlightServer server =
                FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), producer)
                    .build()
                    .start()) {
          String location = "grpc://127.0.0.1:" + server.getPort();

          JsonNode get =
              run(
                  new DoGetBench(),
                  "--location",
                  location,
                  "--ticket",
                  NAME,
                  "--streams",
                  "2",
                  "--runs",
                  "2",
                  "--expect-rows",
                  Long.toString(dataset.rows()),
                  "--expect-bytes",
                  Long.toString(expectedBytes));
          assertThat(get.get("runs")).hasSize(2);
          for (JsonNode run : get.get("runs")) {
            assertThat(run.get("rows").asLong()).isEqualTo(2L * BATCHES * ROWS);
            assertThat(run.get("arrow_bytes").asLong()).isEqualTo(2 * expectedBytes);
            assertThat(run.get("batches").asLong()).isEqualTo(2L * BATCHES);
          }

          JsonNode put =
              run(
                  new DoPutBench(),
                  "--location",
                  location,
                  "--source",
                  file.toString(),
                  "--streams",
                  "2",
                  "--runs",
                  "1");
          assertThat(put.get("runs").get(0).get("rows").asLong()).isEqualTo(2L * BATCHES * ROWS);

          // A wrong ticket is refused, not served as the dataset.
          assertThat(
                  new CommandLine(new DoGetBench())
                      .execute(
                          "--location",
                          location,
                          "--ticket",
                          "other.parquet",
                          "--runs",
                          "1",
                          "--warmup",
                          "0",
                          "--output",
                          dir.resolve("x.json").toString()))
              .isNotZero();
        }
      }
    }
  }

  private JsonNode run(Object command, String... args) throws Exception {
    Path output = dir.resolve(command.getClass().getSimpleName() + ".json");
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--output";
    all[args.length + 1] = output.toString();
    assertThat(new CommandLine(command).execute(all)).isZero();
    return new ObjectMapper().readTree(output.toFile());
  }

  /** Writes BATCHES batches of ROWS rows; returns their Arrow bytes. */
  private static long writeFile(Path file) throws Exception {
    // Indices are written as they are (the file holds them, not the strings) with one dictionary.
    try (BufferAllocator allocator = new RootAllocator();
        VarCharVector dictionaryValues = new VarCharVector("categories", allocator)) {
      List<String> categories = List.of("red", "green", "blue");
      dictionaryValues.allocateNew(categories.size());
      for (int i = 0; i < categories.size(); i++) {
        dictionaryValues.setSafe(i, categories.get(i).getBytes(StandardCharsets.UTF_8));
      }
      dictionaryValues.setValueCount(categories.size());
      var encoding = new DictionaryEncoding(1, false, new ArrowType.Int(32, true));
      var dictionary = new Dictionary(dictionaryValues, encoding);
      var provider = new DictionaryProvider.MapDictionaryProvider(dictionary);

      Field id = Field.notNullable("id", new ArrowType.Int(64, true));
      Field name = Field.nullable("name", ArrowType.Utf8.INSTANCE);
      Field category =
          new Field("category", new FieldType(false, new ArrowType.Int(32, true), encoding), null);
      long bytes = 0;
      try (VectorSchemaRoot root =
              VectorSchemaRoot.create(new Schema(List.of(id, name, category)), allocator);
          FileChannel channel =
              FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          ArrowFileWriter writer = new ArrowFileWriter(root, provider, channel)) {
        writer.start();
        for (int batch = 0; batch < BATCHES; batch++) {
          BigIntVector ids = (BigIntVector) root.getVector("id");
          VarCharVector names = (VarCharVector) root.getVector("name");
          IntVector indices = (IntVector) root.getVector("category");
          ids.allocateNew(ROWS);
          names.allocateNew(ROWS);
          indices.allocateNew(ROWS);
          for (int row = 0; row < ROWS; row++) {
            int value = batch * ROWS + row;
            ids.set(row, value);
            if (row % 10 == 0) {
              names.setNull(row);
            } else {
              names.setSafe(row, ("n" + value).getBytes(StandardCharsets.UTF_8));
            }
            indices.set(row, value % categories.size());
          }
          root.setRowCount(ROWS);
          bytes += ArrowBytes.of(root);
          writer.writeBatch();
        }
        writer.end();
      }
      return bytes;
    }
  }
}
