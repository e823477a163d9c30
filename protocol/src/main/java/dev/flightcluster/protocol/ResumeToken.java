package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code app_metadata} of each DoGet batch: the position right after that batch. A client whose
 * stream breaks asks another location of the same endpoint for {@link
 * DatasetTicket#resumeAt(ResumePosition)} of the last token it delivered. The server checks the
 * token like any ticket: it names this dataset and a file of it, and lies inside that file.
 *
 * @param dataset the dataset streamed, so a token cannot be replayed against another one
 * @param position the position after the batch
 */
public record ResumeToken(
    @JsonProperty("dataset") DatasetName dataset,
    @JsonProperty("position") ResumePosition position) {
  public ResumeToken {
    requireNonNull(dataset, "dataset is null");
    requireNonNull(position, "position is null");
  }

  /** The bytes a batch carries as {@code app_metadata}. */
  public byte[] toAppMetadata() {
    return Messages.encode(this);
  }

  /**
   * Reads a batch's {@code app_metadata}.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when it is not a token
   */
  public static ResumeToken fromAppMetadata(byte[] metadata) {
    return Messages.decode(metadata, ResumeToken.class);
  }
}
