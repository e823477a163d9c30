package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An upload's {@link FlightStream} seen as an {@link ArrowReader}, so the Parquet writer can pull
 * it batch by batch. It keeps the first stream failure (a client cancel, say), which the native
 * writer would otherwise turn into text. The stream stays owned by Flight.
 */
final class FlightStreamReader extends ArrowReader {
  private final FlightStream stream;
  private volatile FlightRuntimeException failure;

  FlightStreamReader(BufferAllocator allocator, FlightStream stream) {
    super(allocator);
    this.stream = requireNonNull(stream, "stream is null");
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() {
    return stream.getRoot();
  }

  @Override
  public boolean loadNextBatch() {
    try {
      return stream.next();
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
