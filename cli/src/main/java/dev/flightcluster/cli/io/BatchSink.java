package dev.flightcluster.cli.io;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Field;
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
   * Flight stream's {@code getDictionaryProvider()}). A sink that cannot resolve them refuses the
   * batch rather than write indices as if they were the values.
   */
  default void write(VectorSchemaRoot batch, DictionaryProvider dictionaries) throws IOException {
    for (Field field : batch.getSchema().getFields()) {
      if (field.getDictionary() != null) {
        throw new IOException(
            "column '" + field.getName() + "' is dictionary-encoded, which this output format cannot write yet");
      }
    }
    write(batch);
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
