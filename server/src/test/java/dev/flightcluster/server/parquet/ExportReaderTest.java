package dev.flightcluster.server.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.testing.GeneratedReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ExportReaderTest {
  private static final Schema SCHEMA =
      new Schema(List.of(Field.nullable("x", new ArrowType.Int(64, true))));

  private static GeneratedReader source(BufferAllocator allocator, int batches, int batchRows) {
    return new GeneratedReader(
        allocator,
        SCHEMA,
        (long) batches * batchRows,
        batchRows,
        (root, first, count) -> {
          BigIntVector x = (BigIntVector) root.getVector(0);
          x.allocateNew(count);
          for (int i = 0; i < count; i++) {
            x.set(i, first + i);
          }
          root.setRowCount(count);
        });
  }

  @Test
  void theNextBatchWaitsWhileTheWriterHoldsMoreThanTheLimitButNeverForItsOwnLastBatch()
      throws Exception {
    DrainWatcher watcher = new DrainWatcher();
    try (BufferAllocator root = new RootAllocator();
        BufferAllocator writeSide = root.newChildAllocator("write", watcher, 0, Long.MAX_VALUE);
        BufferAllocator sourceSide = root.newChildAllocator("source", 0, Long.MAX_VALUE);
        GeneratedReader source = source(sourceSide, 3, 10_000);
        // A limit of 0 and a wait far longer than the test: any wait that is not released would
        // hang it.
        ExportReader reader =
            new ExportReader(writeSide, source, watcher, 0, Duration.ofHours(1))) {
      assertThat(reader.loadNextBatch()).isTrue();

      // Nothing exported: the reader's own reference to the last batch does not count as held.
      assertThat(reader.loadNextBatch()).isTrue();

      // The writer takes references to this batch, as the C stream export does.
      List<ArrowBuf> held = new ArrayList<>();
      for (FieldVector vector : reader.getVectorSchemaRoot().getFieldVectors()) {
        for (ArrowBuf buffer : vector.getFieldBuffers()) {
          buffer.getReferenceManager().retain();
          held.add(buffer);
        }
      }
      CompletableFuture<Boolean> third =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return reader.loadNextBatch();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !third.isDone());

      held.forEach(buffer -> buffer.getReferenceManager().release());
      assertThat(third.get()).isTrue();
      assertThat(reader.rows()).isEqualTo(30_000);
    }
  }
}
