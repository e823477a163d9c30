package dev.flightcluster.coordinator.sql;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An incoming DoPut stream as an {@link ArrowReader}, so the cluster's put can read an ingest batch
 * by batch: each batch's buffers are handed over (reference counted, not copied) and released when
 * the next one is read, so one batch is held at a time. Closing it leaves the stream, which gRPC
 * owns, open.
 */
final class FlightStreamReader extends ArrowReader {
  private final FlightStream stream;
  private long rows;

  FlightStreamReader(FlightStream stream, BufferAllocator allocator) {
    super(allocator);
    this.stream = requireNonNull(stream, "stream is null");
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    prepareLoadNextBatch();
    if (!stream.next()) {
      return false;
    }
    try (ArrowRecordBatch batch = new VectorUnloader(stream.getRoot()).getRecordBatch()) {
      loadRecordBatch(batch);
    }
    rows += getVectorSchemaRoot().getRowCount();
    return true;
  }

  /** The rows read so far. */
  long rows() {
    return rows;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {}

  @Override
  protected Schema readSchema() {
    return stream.getSchema();
  }
}
