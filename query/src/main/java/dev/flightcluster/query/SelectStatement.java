package dev.flightcluster.query;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.flight.CallStatus;

/**
 * The one statement the Flight SQL face runs: {@code SELECT <columns or *> FROM <dataset> [WHERE
 * <filter>] [LIMIT n]}, or {@code SELECT COUNT(*) FROM <dataset>}. A dataset name that is not a
 * plain identifier is quoted: {@code SELECT * FROM "dir/sales.parquet"}.
 *
 * @param dataset the table, which is a dataset name
 * @param columns the selected columns in order; empty for {@code *}
 * @param filter the WHERE clause as SQL text that {@link RowFilter#parse} accepts; null for none
 * @param limit the LIMIT, if any
 * @param countStar whether this is {@code SELECT COUNT(*)} (then columns is empty)
 */
public record SelectStatement(
    String dataset, List<String> columns, String filter, OptionalLong limit, boolean countStar) {
  public SelectStatement {
    requireNonNull(dataset, "dataset is null");
    columns = List.copyOf(columns);
    requireNonNull(limit, "limit is null");
  }

  /**
   * Parses one statement. Anything but the supported shape gets INVALID_ARGUMENT that says what is
   * supported.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT with the position
   */
  public static SelectStatement parse(String sql) {
    throw CallStatus.UNIMPLEMENTED.withDescription("SQL is not built yet").toRuntimeException();
  }
}
