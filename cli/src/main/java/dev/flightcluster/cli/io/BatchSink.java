package dev.flightcluster.cli.io;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Where the record batches of a {@code get} go. The sink copies what it needs from each batch, so
 * the caller may reuse the root. Nothing is visible at the target path until {@link #finish}
 * succeeds; closing an unfinished sink discards what was written.
 */
public interface BatchSink extends AutoCloseable {
  /** Writes one batch. The first batch's schema is the file's schema. */
  void write(VectorSchemaRoot batch) throws IOException;

  /**
   * Writes one batch whose dictionary-encoded columns hold indices into {@code dictionaries} (a
   * Flight stream's {@code getDictionaryProvider()}). By default such columns are written as their
   * values: every output file has one dictionary per file at most, while a stream may change its
   * dictionaries between batches.
   */
  default void write(VectorSchemaRoot batch, DictionaryProvider dictionaries) throws IOException {
    if (!DecodedBatch.hasDictionaries(batch)) {
      write(batch);
      return;
    }
    try (VectorSchemaRoot decoded = DecodedBatch.decode(batch, dictionaries)) {
      write(decoded);
    }
  }

  /**
   * Completes the file and moves it into place.
   *
   * @param schemaIfEmpty the schema of the file when no batch was written
   */
  void finish(Schema schemaIfEmpty) throws IOException;

  /** Rows written so far. */
  long rows();

  /** Releases everything; discards the output unless {@link #finish} succeeded. */
  @Override
  void close() throws IOException;
}
