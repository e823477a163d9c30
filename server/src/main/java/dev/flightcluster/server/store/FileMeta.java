package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What the store knows of one Parquet file; valid while the file keeps its size and modification
 * time, so a refresh re-reads only files that changed.
 *
 * @param schema the file's Arrow schema in IPC message form, dictionary encodings included: the one
 *     stored in its footer ({@code ARROW:schema}) when there is one, else the one Arrow infers
 * @param footer the file's Parquet footer bytes
 * @param rowGroups how many row groups the file has
 * @param arrowBytes about how many bytes of Arrow data the file decodes to ({@link ArrowSize})
 */
public record FileMeta(
    Path path,
    long size,
    FileTime modified,
    Schema schema,
    long rows,
    byte[] footer,
    int rowGroups,
    long arrowBytes) {
  public FileMeta {
    requireNonNull(path, "path is null");
    requireNonNull(modified, "modified is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(footer, "footer is null");
  }

  /** Whether a file of this size and modification time is still the one inspected. */
  public boolean sameVersion(long size, FileTime modified) {
    return this.size == size && this.modified.equals(modified);
  }
}
