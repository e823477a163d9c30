package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An upload's {@link FlightStream} seen as an {@link ArrowReader}, so the Parquet writer can pull
 * it batch by batch. It refuses a batch larger than {@code maxBatchBytes} with RESOURCE_EXHAUSTED,
 * and keeps the first failure (that one, or a client cancel), which the native writer would
 * otherwise turn into text. The stream stays owned by Flight.
 */
final class FlightStreamReader extends ArrowReader {
  private final FlightStream stream;
  private final long maxBatchBytes;
  private volatile FlightRuntimeException failure;

  FlightStreamReader(BufferAllocator allocator, FlightStream stream, long maxBatchBytes) {
    super(allocator);
    this.stream = requireNonNull(stream, "stream is null");
    this.maxBatchBytes = maxBatchBytes;
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() {
    return stream.getRoot();
  }

  @Override
  public boolean loadNextBatch() {
    try {
      if (!stream.next()) {
        return false;
      }
      long bytes = 0;
      for (FieldVector vector : stream.getRoot().getFieldVectors()) {
        bytes += vector.getBufferSize();
      }
      if (bytes > maxBatchBytes) {
        throw CallStatus.RESOURCE_EXHAUSTED
            .withDescription("a record batch of " + bytes + " bytes exceeds this server's limit of " + maxBatchBytes
                + " bytes (--max-message-size); send smaller batches")
            .toRuntimeException();
      }
      return true;
    } catch (FlightRuntimeException e) {
      if (failure == null) {
        failure = e;
      }
      throw e;
    }
  }

  /** The stream's first failure, or null. */
  FlightRuntimeException failure() {
    return failure;
  }

  @Override
  public Dictionary lookup(long id) {
    return stream.getDictionaryProvider().lookup(id);
  }

  @Override
  public Set<Long> getDictionaryIds() {
    return stream.getDictionaryProvider().getDictionaryIds();
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {
    // Flight closes the stream when the call ends.
  }

  @Override
  protected Schema readSchema() {
    return stream.getSchema();
  }
}
