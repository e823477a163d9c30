package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What the store knows of one Parquet file; valid while the file keeps its size and modification
 * time, so a refresh re-reads only files that changed.
 *
 * @param schema the file's Arrow schema, dictionary encodings included
 * @param footer the file's Parquet footer bytes
 */
record FileMeta(Path path, long size, FileTime modified, Schema schema, long rows, byte[] footer) {
  FileMeta {
    requireNonNull(path, "path is null");
    requireNonNull(modified, "modified is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(footer, "footer is null");
  }

  boolean sameVersion(long size, FileTime modified) {
    return this.size == size && this.modified.equals(modified);
  }
}
