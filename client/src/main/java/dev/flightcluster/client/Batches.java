package dev.flightcluster.client;

import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Measures record batches the same way for reads and uploads. */
final class Batches {
  private Batches() {}

  /** The Arrow buffer bytes of a batch: every buffer of every column, children included. */
  static long bufferBytes(VectorSchemaRoot batch) {
    long total = 0;
    for (FieldVector vector : batch.getFieldVectors()) {
      total += vector.getBufferSize();
    }
    return total;
  }
}
