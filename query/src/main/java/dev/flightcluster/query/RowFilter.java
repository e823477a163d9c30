package dev.flightcluster.query;

import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A row filter: a SQL boolean expression over a dataset's columns, parsed and validated once,
 * immutable and safe to share between threads.
 *
 * <p>The coordinator parses a filter to check it (and to prune shards by partition values) before
 * it hands out tickets; the data server parses the same text from the ticket again, binds each
 * file's partition values and scans with the Substrait form. Partition columns (hive {@code
 * key=value} folders) are part of the dataset's schema but not of its files: {@link #canMatch} and
 * {@link #toSubstrait} take their values as constants.
 */
public final class RowFilter {
  private final String sql;

  private RowFilter(String sql) {
    this.sql = sql;
  }

  /**
   * Parses and validates {@code sql} against {@code schema}, the dataset's served schema (partition
   * columns included).
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT naming the problem
   *     (syntax error, unknown column, type mismatch, unsupported construct) and its line and
   *     column in {@code sql}
   */
  public static RowFilter parse(String sql, Schema schema) {
    throw CallStatus.UNIMPLEMENTED
        .withDescription("row filters are not built yet")
        .toRuntimeException();
  }

  /** The filter as the caller wrote it; what a ticket carries. */
  public String sql() {
    return sql;
  }

  /**
   * Whether a row could pass when the named columns hold these values: false only when the filter
   * is certainly false for them (a shard or file whose partition values cannot match is not
   * scanned). Columns not in {@code known} are unknown. Values are {@code Long}, {@code String} or
   * {@code null}, as hive partition values are.
   */
  public boolean canMatch(Map<String, Object> known) {
    return true;
  }

  /**
   * The filter as a serialized Substrait {@code ExtendedExpression} over {@code fileSchema} (the
   * columns a file holds), with the columns in {@code known} replaced by their values, in a direct
   * buffer for {@code ScanOptions.Builder.substraitFilter}.
   */
  public ByteBuffer toSubstrait(Schema fileSchema, Map<String, Object> known) {
    throw new UnsupportedOperationException("not built yet");
  }

  @Override
  public String toString() {
    return sql;
  }
}
