package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Receives the record batches of {@link FlightClusterClient#get}, in stream order, on the thread
 * that called {@code get}.
 *
 * <p>The {@link VectorSchemaRoot} handed to {@link #accept} belongs to the stream: it is valid only
 * during that call, is overwritten by the next batch, and may be a different object for each
 * endpoint. To keep data, copy it, or transfer its buffers to an allocator of your own, before
 * returning.
 *
 * <p>Exceptions thrown here end the read: the stream is cancelled, the exception propagates
 * unchanged from {@code get}, and no other location is tried (rows were already delivered).
 */
@FunctionalInterface
public interface BatchConsumer {
  /**
   * Called once per {@code get}, before the first batch, with the schema of the data. Also called
   * when the dataset has no rows at all, so a writer can still produce an empty file with the right
   * columns. Does nothing by default.
   */
  default void onSchema(Schema schema) {}

  /**
   * Takes one record batch.
   *
   * @return true to receive the next batch; false to stop reading: the stream is then cancelled
   *     cleanly and {@code get} returns a result that is not {@link GetResult#complete()}
   */
  boolean accept(VectorSchemaRoot batch);

  /**
   * Takes one record batch whose dictionary-encoded columns, if any, hold indices into {@code
   * dictionaries} (the stream's dictionaries, valid during this call only). Servers keep a column
   * dictionary-encoded when the dataset stores it so. By default calls {@link
   * #accept(VectorSchemaRoot)}, which then sees the indices: override this method to read such
   * columns' values.
   */
  default boolean accept(VectorSchemaRoot batch, DictionaryProvider dictionaries) {
    return accept(batch);
  }

  /** A consumer that takes every batch with {@code action} and never stops early. */
  static BatchConsumer of(Consumer<? super VectorSchemaRoot> action) {
    requireNonNull(action, "action is null");
    return batch -> {
      action.accept(batch);
      return true;
    };
  }
}
