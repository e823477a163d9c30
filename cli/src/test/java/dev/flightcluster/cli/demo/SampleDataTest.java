package dev.flightcluster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.io.Contents;
import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

class SampleDataTest {
  @Test
  void sameRowsWhateverTheBatchSize() throws IOException {
    try (BufferAllocator allocator = new RootAllocator()) {
      for (SampleTable table : SampleTable.values()) {
        String oneBatch = contents(allocator, table, 2_000, 2_000);
        assertThat(contents(allocator, table, 2_000, 7)).isEqualTo(oneBatch);
        assertThat(contents(allocator, table, 2_000, 65_536)).isEqualTo(oneBatch);
        assertThat(oneBatch.lines()).hasSize(2_000);
      }
    }
  }

  @Test
  void batchesAreBoundedAndCountsExact() throws IOException {
    try (BufferAllocator allocator = new RootAllocator();
        SampleData data = SampleData.reader(allocator, SampleTable.SENSOR_READINGS, 1_000, 300)) {
      int batches = 0;
      long rows = 0;
      while (data.loadNextBatch()) {
        int count = data.getVectorSchemaRoot().getRowCount();
        assertThat(count).isLessThanOrEqualTo(300);
        rows += count;
        batches++;
      }
      assertThat(batches).isEqualTo(4);
      assertThat(rows).isEqualTo(1_000);
      assertThat(data.loadNextBatch()).isFalse();
    }
  }

  @Test
  void realisticColumns() throws IOException {
    for (SampleTable table : SampleTable.values()) {
      assertThat(table.schema().getFields())
          .extracting(Field::getType)
          .anyMatch(ArrowType.Timestamp.class::isInstance)
          .anyMatch(type -> type instanceof ArrowType.FloatingPoint)
          .anyMatch(ArrowType.Utf8.class::isInstance);
    }
    try (BufferAllocator allocator = new RootAllocator();
        SampleData trips = SampleData.reader(allocator, SampleTable.TAXI_TRIPS, 5_000, 5_000)) {
      trips.loadNextBatch();
      VectorSchemaRoot root = trips.getVectorSchemaRoot();
      TimeStampMicroTZVector pickup = (TimeStampMicroTZVector) root.getVector("pickup_at");
      TimeStampMicroTZVector dropoff = (TimeStampMicroTZVector) root.getVector("dropoff_at");
      for (int i = 0; i < root.getRowCount(); i++) {
        assertThat(dropoff.get(i)).isGreaterThan(pickup.get(i));
      }
      // Categories are few; identifiers are many.
      assertThat(distinct(root, "payment_type")).isEqualTo(4);
      assertThat(distinct(root, "vendor")).isEqualTo(3);
      assertThat(root.getVector("tip_amount").getNullCount()).isPositive();
    }
  }

  private static long distinct(VectorSchemaRoot root, String column) {
    var vector = root.getVector(column);
    return java.util.stream.IntStream.range(0, root.getRowCount())
        .mapToObj(i -> String.valueOf(vector.getObject(i)))
        .distinct()
        .count();
  }

  private static String contents(
      BufferAllocator allocator, SampleTable table, long rows, int batchRows) throws IOException {
    try (SampleData data = SampleData.reader(allocator, table, rows, batchRows)) {
      return Contents.of(data);
    }
  }
}
