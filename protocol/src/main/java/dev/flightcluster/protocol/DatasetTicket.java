package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.apache.arrow.flight.CallStatus;

/**
 * What a DoGet ticket asks a data server for: some files of a dataset, from the start or from a
 * resume position. {@link Tickets} encodes it. A ticket comes from the caller, so every field is
 * checked here for form, and by the server for meaning (that each file belongs to the dataset).
 *
 * @param dataset the dataset
 * @param files the files to stream, in stream order, as {@code /}-separated paths relative to the
 *     dataset's folder ({@code year=2024/part-0.parquet} in dataset {@code trips}); a single-file
 *     dataset's one file is its own name, the last segment of the dataset name ({@code
 *     sales.parquet}); empty for every file of the dataset, in the server's order (by path). A
 *     server answers NOT_FOUND for a file it does not hold, INVALID_ARGUMENT for one named twice or
 *     one that leads out of the data dir
 * @param resume where to start; {@code null} to start at the beginning
 * @param pushdown the columns, rows and row count to send ({@link Pushdown#NONE} for all, which is
 *     what a ticket without the field means). With a filter, a resume position's row counts the
 *     rows of its file that passed the filter. The limit is this stream's: a client resuming after
 *     {@code n} rows sends the limit less {@code n} (decisions D80)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetTicket(
    @JsonProperty("dataset") DatasetName dataset,
    @JsonProperty("files") List<String> files,
    @JsonProperty("resume") ResumePosition resume,
    @JsonProperty("pushdown")
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NoPushdown.class)
        Pushdown pushdown) {
  /** At most this many files in one ticket; an endpoint groups far fewer. */
  public static final int MAX_FILES = 100_000;

  public DatasetTicket {
    requireNonNull(dataset, "dataset is null");
    pushdown = pushdown == null ? Pushdown.NONE : pushdown;
    files = files == null ? List.of() : List.copyOf(files);
    if (files.size() > MAX_FILES) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("a ticket names " + files.size() + " files; at most " + MAX_FILES)
          .toRuntimeException();
    }
    files.forEach(DatasetTicket::checkRelativePath);
    if (resume != null && resume.dataset() != null && !resume.dataset().equals(dataset)) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "the resume position was taken from a stream of '"
                  + resume.dataset()
                  + "' and cannot resume a stream of '"
                  + dataset
                  + "'")
          .toRuntimeException();
    }
    if (resume != null && !files.isEmpty() && !files.contains(resume.file())) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("the resume position names a file the ticket does not: " + resume.file())
          .toRuntimeException();
    }
  }

  /** Some files of a dataset, all columns and rows. */
  public DatasetTicket(DatasetName dataset, List<String> files, ResumePosition resume) {
    this(dataset, files, resume, Pushdown.NONE);
  }

  /** Every file of a dataset, from the start: what the original example's ticket meant. */
  public static DatasetTicket whole(DatasetName dataset) {
    return new DatasetTicket(dataset, List.of(), null);
  }

  /** The same files, starting at {@code position}. */
  public DatasetTicket resumeAt(ResumePosition position) {
    requireNonNull(position, "position is null");
    return new DatasetTicket(dataset, files, position, pushdown);
  }

  /** The same files and position, sending only what {@code pushdown} asks for. */
  public DatasetTicket withPushdown(Pushdown pushdown) {
    requireNonNull(pushdown, "pushdown is null");
    return new DatasetTicket(dataset, files, resume, pushdown);
  }

  /**
   * The same files, starting right after the batch that carried {@code token}.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when the token is
   *     another dataset's: the server checks the position's file and row, not whose token it was
   */
  public DatasetTicket resumeAt(ResumeToken token) {
    requireNonNull(token, "token is null");
    if (!token.dataset().equals(dataset)) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "a resume token of dataset '"
                  + token.dataset()
                  + "' cannot resume a stream of '"
                  + dataset
                  + "'")
          .toRuntimeException();
    }
    ResumePosition position = token.position();
    return resumeAt(new ResumePosition(position.file(), position.row(), token.dataset()));
  }

  /**
   * Refuses a path that could leave the dataset's folder or that no listing produces: absolute,
   * with {@code ..} or {@code .} segments, empty segments, backslashes or control characters.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT naming the path
   */
  static void checkRelativePath(String path) {
    requireNonNull(path, "path is null");
    String problem = null;
    if (path.isEmpty()) {
      problem = "is empty";
    } else if (path.length() > DatasetName.MAX_LENGTH) {
      problem = "is longer than " + DatasetName.MAX_LENGTH + " characters";
    } else if (path.startsWith("/")) {
      problem = "is absolute";
    } else if (path.indexOf('\\') >= 0 || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problem = "holds a backslash or a control character";
    } else {
      for (String segment : path.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          problem = "has an empty, '.' or '..' segment: a ticket cannot leave its dataset";
          break;
        }
      }
    }
    if (problem != null) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("ticket file path " + quoted(path) + " " + problem)
          .toRuntimeException();
    }
  }

  private static String quoted(String path) {
    String shown = path.length() > 80 ? path.substring(0, 80) + "..." : path;
    StringBuilder out = new StringBuilder("'");
    shown
        .codePoints()
        .forEach(
            c ->
                out.append(
                    c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : Character.toString(c)));
    return out.append('\'').toString();
  }

  /** Leaves {@link Pushdown#NONE} out of a ticket's JSON (Jackson drops values this equals). */
  static final class NoPushdown {
    @Override
    public boolean equals(Object value) {
      return value == null || (value instanceof Pushdown p && p.isNone());
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }
}
