package dev.flightcluster.client;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Copies out every row it is handed, optionally stopping after some batches. */
final class CollectingConsumer implements BatchConsumer {
  final List<Schema> schemas = new ArrayList<>();
  final List<TestData.Row> rows = new ArrayList<>();
  final List<long[]> progress = new ArrayList<>();
  private final int stopAfterBatches;
  private int batches;

  private CollectingConsumer(int stopAfterBatches) {
    this.stopAfterBatches = stopAfterBatches;
  }

  static CollectingConsumer all() {
    return new CollectingConsumer(Integer.MAX_VALUE);
  }

  static CollectingConsumer stoppingAfter(int batches) {
    return new CollectingConsumer(batches);
  }

  @Override
  public void onSchema(Schema schema) {
    schemas.add(schema);
  }

  @Override
  public boolean accept(VectorSchemaRoot batch) {
    rows.addAll(TestData.rows(batch));
    batches++;
    return batches < stopAfterBatches;
  }

  ProgressListener progressListener() {
    return (rows, bytes) -> progress.add(new long[] {rows, bytes});
  }
}
