package dev.flightcluster.cli.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An {@link ArrowReader} that passes another one through and reports the rows read so far after
 * each batch, for {@code put}'s progress bar. It does not own the delegate: closing it leaves the
 * delegate open for its owner to close, so a consumer that closes what it reads cannot close the
 * delegate twice.
 */
public final class CountingReader extends ArrowReader {
  private final ArrowReader delegate;
  private final LongConsumer rowsSoFar;
  private long rows;

  /**
   * @param allocator the allocator of the delegate's vectors
   */
  public CountingReader(BufferAllocator allocator, ArrowReader delegate, LongConsumer rowsSoFar) {
    super(allocator);
    this.delegate = requireNonNull(delegate, "delegate is null");
    this.rowsSoFar = requireNonNull(rowsSoFar, "rowsSoFar is null");
  }

  /** Rows read so far. */
  public long rows() {
    return rows;
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() throws IOException {
    return delegate.getVectorSchemaRoot();
  }

  @Override
  public Map<Long, Dictionary> getDictionaryVectors() throws IOException {
    return delegate.getDictionaryVectors();
  }

  @Override
  public Dictionary lookup(long id) {
    return delegate.lookup(id);
  }

  @Override
  public Set<Long> getDictionaryIds() {
    return delegate.getDictionaryIds();
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    boolean loaded = delegate.loadNextBatch();
    if (loaded) {
      rows += delegate.getVectorSchemaRoot().getRowCount();
      rowsSoFar.accept(rows);
    }
    return loaded;
  }

  @Override
  public long bytesRead() {
    return delegate.bytesRead();
  }

  @Override
  protected void closeReadSource() {
    // The delegate's owner closes it.
  }

  @Override
  protected Schema readSchema() throws IOException {
    return delegate.getVectorSchemaRoot().getSchema();
  }
}
