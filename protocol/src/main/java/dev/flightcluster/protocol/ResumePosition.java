package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.arrow.flight.CallStatus;

/**
 * A place in a DoGet stream, between two rows: the rows before it were delivered, the rows after it
 * were not. Streams visit their files in the ticket's order, so the files before {@code file} are
 * complete.
 *
 * @param file the file the next row comes from, as a path inside the dataset ({@link
 *     DatasetTicket})
 * @param row how many rows of {@code file} were delivered already; equal to the file's row count
 *     when the file is complete
 * @param dataset the dataset whose stream the position was taken from, or {@code null}: a resumed
 *     ticket names it so that a position taken from another dataset's stream is refused, even where
 *     that dataset has a file of the same name ({@link DatasetTicket#resumeAt(ResumeToken)})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResumePosition(
    @JsonProperty("file") String file,
    @JsonProperty("row") long row,
    @JsonProperty("dataset") DatasetName dataset) {
  /** A position in the stream that carries it, naming no dataset (as a resume token's does). */
  public ResumePosition(String file, long row) {
    this(file, row, null);
  }

  public ResumePosition {
    requireNonNull(file, "file is null");
    if (row < 0) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("a resume position's row is " + row + ": it cannot be negative")
          .toRuntimeException();
    }
    DatasetTicket.checkRelativePath(file);
  }
}
