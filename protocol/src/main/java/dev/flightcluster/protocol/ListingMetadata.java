package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.apache.arrow.flight.CallStatus;

/**
 * The {@code app_metadata} of a FlightInfo a data server lists: the dataset's fingerprint, as the
 * original {@link DatasetFingerprint} message carried it, and, so that a coordinator can merge the
 * files of one dataset spread over several servers, each of its files. A coordinator that knows
 * only the fingerprint ignores the rest; one that meets a listing without files treats the dataset
 * as one shard (decisions D58).
 *
 * @param fingerprint the whole dataset's fingerprint, as this server holds it
 * @param folder whether the dataset is a folder of files (which may be spread over servers) rather
 *     than one top-level Parquet file (which is always one shard)
 * @param files the dataset's files in the server's stream order; empty from a server that lists
 *     none
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ListingMetadata(
    @JsonProperty("fingerprint") String fingerprint,
    @JsonProperty("folder") boolean folder,
    @JsonProperty("files") List<File> files) {
  public ListingMetadata {
    requireNonNull(fingerprint, "fingerprint is null");
    files = files == null ? List.of() : List.copyOf(files);
  }

  /**
   * One file of a listed dataset.
   *
   * @param path the file's {@code /}-separated path inside the dataset's folder, as tickets name it
   *     ({@link DatasetTicket}); a single-file dataset's one file is its own name
   * @param fingerprint the file's content identity ({@link DatasetFingerprint#compute} over the
   *     file alone): the same path with another fingerprint on another server is a conflict
   * @param rows the file's rows
   * @param bytes the file's Parquet bytes on disk: what endpoints are grouped by
   * @param arrowBytes about how many bytes of Arrow data the file decodes to: what total_bytes sums
   */
  public record File(
      @JsonProperty("path") String path,
      @JsonProperty("fingerprint") String fingerprint,
      @JsonProperty("rows") long rows,
      @JsonProperty("bytes") long bytes,
      @JsonProperty("arrow_bytes") long arrowBytes) {
    public File {
      requireNonNull(path, "path is null");
      requireNonNull(fingerprint, "fingerprint is null");
      DatasetTicket.checkRelativePath(path);
      if (rows < 0 || bytes < 0 || arrowBytes < 0) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription("listed file " + path + " has a negative size or row count")
            .toRuntimeException();
      }
    }
  }

  /** The bytes a listed FlightInfo carries as {@code app_metadata}. */
  public byte[] toAppMetadata() {
    return Messages.encode(this);
  }

  /**
   * Reads a listed FlightInfo's {@code app_metadata}; a bare {@link DatasetFingerprint} message
   * reads as a listing without files.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when it holds no
   *     fingerprint or a malformed file
   */
  public static ListingMetadata fromAppMetadata(byte[] appMetadata) {
    if (appMetadata == null || appMetadata.length == 0) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("FlightInfo has no app_metadata fingerprint")
          .toRuntimeException();
    }
    return Messages.decode(appMetadata, ListingMetadata.class);
  }
}
