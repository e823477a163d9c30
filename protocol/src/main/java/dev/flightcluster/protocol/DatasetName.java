package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import org.apache.arrow.flight.CallStatus;

/**
 * The name of a dataset: its path relative to a data server's data dir, with {@code /} between
 * segments, such as {@code sales.parquet} or {@code trips} (a folder of Parquet files).
 *
 * <p>A name is checked before anything is opened. It never starts with {@code /}, never holds an
 * empty, {@code .} or {@code ..} segment, a backslash or a control character, and no segment starts
 * with {@code .} (hidden files, including the server's upload staging area, are never served).
 * Symbolic links are the data server's concern: a name alone cannot tell where a link leads.
 */
public record DatasetName(@JsonValue String value) implements Comparable<DatasetName> {
  /** Longest name accepted, in characters. */
  public static final int MAX_LENGTH = 1024;

  public DatasetName {
    requireNonNull(value, "value is null");
    String problem = problem(value);
    if (problem != null) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("invalid dataset name '" + printable(value) + "': " + problem)
          .toRuntimeException();
    }
  }

  /**
   * Parses a dataset name.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT, saying what is wrong
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static DatasetName of(String value) {
    return new DatasetName(value);
  }

  /** The name's segments, in order. */
  public List<String> segments() {
    return List.of(value.split("/"));
  }

  /** True when this name equals {@code prefix} or starts with it. An empty prefix matches all. */
  public boolean hasPrefix(String prefix) {
    return value.startsWith(prefix);
  }

  @Override
  public int compareTo(DatasetName other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }

  private static String problem(String value) {
    if (value.isEmpty()) {
      return "it is empty";
    }
    if (value.length() > MAX_LENGTH) {
      return "it is longer than " + MAX_LENGTH + " characters";
    }
    if (value.startsWith("/")) {
      return "absolute paths are not allowed; name the dataset relative to the data dir";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        return "use '/' between path segments, not '\\'";
      }
      if (Character.isISOControl(c)) {
        return "it holds a control character";
      }
    }
    for (String segment : value.split("/", -1)) {
      if (segment.isEmpty()) {
        return "it has an empty path segment";
      }
      if (segment.equals("..") || segment.equals(".")) {
        return "'" + segment + "' segments are not allowed";
      }
      if (segment.startsWith(".")) {
        return "hidden segments (starting with '.') are not served";
      }
    }
    return null;
  }

  private static String printable(String value) {
    StringBuilder out = new StringBuilder();
    value
        .codePoints()
        .limit(200)
        .forEach(
            cp ->
                out.append(
                    Character.isISOControl(cp)
                        ? "\\u" + String.format("%04x", cp)
                        : Character.toString(cp)));
    return value.length() > 200 ? out + "..." : out.toString();
  }
}
