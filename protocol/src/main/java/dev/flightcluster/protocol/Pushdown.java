package dev.flightcluster.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.List;
import org.apache.arrow.flight.CallStatus;

/**
 * What a reader asks the data servers to keep on their side: the columns it wants, the rows it
 * wants, and how many. Checked here for form only; the filter's meaning is checked against the
 * dataset's schema by {@code dev.flightcluster.query.RowFilter}.
 *
 * @param columns the columns to return, in this order; empty for all
 * @param filter a SQL boolean expression over the dataset's columns; null for every row
 * @param limit at most this many rows; null for no limit
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Pushdown(
    @JsonProperty("columns") List<String> columns,
    @JsonProperty("filter") String filter,
    @JsonProperty("limit") Long limit) {
  /** Longest filter accepted, in characters. */
  public static final int MAX_FILTER_LENGTH = 64 * 1024;

  /** Most columns a projection names. */
  public static final int MAX_COLUMNS = 10_000;

  /** Every column and every row. */
  public static final Pushdown NONE = new Pushdown(List.of(), null, null);

  public Pushdown {
    columns = columns == null ? List.of() : List.copyOf(columns);
    if (columns.size() > MAX_COLUMNS) {
      throw invalid("a projection names " + columns.size() + " columns; at most " + MAX_COLUMNS);
    }
    var seen = new HashSet<String>();
    for (String column : columns) {
      if (column == null || column.isEmpty()) {
        throw invalid("a projection names an empty column");
      }
      if (!seen.add(column)) {
        throw invalid("the projection names column '" + column + "' twice");
      }
    }
    if (filter != null && filter.isBlank()) {
      filter = null;
    }
    if (filter != null && filter.length() > MAX_FILTER_LENGTH) {
      throw invalid(
          "the filter is " + filter.length() + " characters long; at most " + MAX_FILTER_LENGTH);
    }
    if (limit != null && limit < 0) {
      throw invalid("limit must be 0 or more; got " + limit);
    }
  }

  /** Whether this asks for less than every column and row. */
  @JsonIgnore
  public boolean isNone() {
    return columns.isEmpty() && filter == null && limit == null;
  }

  private static RuntimeException invalid(String message) {
    return CallStatus.INVALID_ARGUMENT.withDescription(message).toRuntimeException();
  }
}
