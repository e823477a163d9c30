package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.server.upload.BatchValidator;
import dev.flightcluster.server.upload.UploadWait;
import java.util.Set;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An upload's {@link FlightStream} seen as an {@link ArrowReader}, so the Parquet writer can pull
 * it batch by batch. Every wait for the client is bounded by {@code wait}; every batch is validated
 * completely ({@link BatchValidator}) before the writer sees it; a batch Flight cannot load is
 * INVALID_ARGUMENT; a batch larger than {@code maxBatchBytes} is RESOURCE_EXHAUSTED. It keeps the
 * first failure, which the native writer would otherwise turn into text. The stream stays owned by
 * Flight.
 */
final class FlightStreamReader extends ArrowReader {
  private final FlightStream stream;
  private final long maxBatchBytes;
  private final UploadWait wait;
  private long batches;
  private volatile FlightRuntimeException failure;

  FlightStreamReader(
      BufferAllocator allocator, FlightStream stream, long maxBatchBytes, UploadWait wait) {
    super(allocator);
    this.stream = requireNonNull(stream, "stream is null");
    this.maxBatchBytes = maxBatchBytes;
    this.wait = requireNonNull(wait, "wait is null");
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() {
    try {
      return wait.await("the schema", stream::getRoot);
    } catch (FlightRuntimeException e) {
      throw keep(e);
    }
  }

  @Override
  public boolean loadNextBatch() {
    try {
      long batch = batches + 1;
      boolean loaded;
      try {
        loaded = wait.await("record batch " + batch, stream::next);
      } catch (FlightRuntimeException | OutOfMemoryException e) {
        throw e;
      } catch (RuntimeException e) {
        // Flight loads the batch's buffers as the header describes them, and throws when they do
        // not
        // fit its body or the schema, whatever the exception's type.
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(
                "record batch "
                    + batch
                    + " of the upload is malformed: its header does not match its"
                    + " body or the schema (buffer or field counts, a buffer outside the body, an unknown dictionary id, or"
                    + " compression, which uploads do not support); nothing was stored")
            .toRuntimeException();
      }
      if (!loaded) {
        return false;
      }
      batches = batch;
      // Before anything reads a value: even the size below reads the offsets.
      BatchValidator.validate(stream.getRoot(), stream.getDictionaryProvider(), batch);
      long bytes = 0;
      for (FieldVector vector : stream.getRoot().getFieldVectors()) {
        bytes += vector.getBufferSize();
      }
      if (bytes > maxBatchBytes) {
        throw CallStatus.RESOURCE_EXHAUSTED
            .withDescription(
                "a record batch of "
                    + bytes
                    + " bytes exceeds this server's limit of "
                    + maxBatchBytes
                    + " bytes (--max-message-size); send smaller batches")
            .toRuntimeException();
      }
      return true;
    } catch (FlightRuntimeException e) {
      throw keep(e);
    }
  }

  private FlightRuntimeException keep(FlightRuntimeException e) {
    if (failure == null) {
      failure = e;
    }
    return e;
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
    return getVectorSchemaRoot().getSchema();
  }
}
