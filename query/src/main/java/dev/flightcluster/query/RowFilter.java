package dev.flightcluster.query;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;

/**
 * A row filter: a SQL boolean expression over a dataset's columns, parsed and validated once,
 * immutable and safe to share between threads.
 *
 * <p>The coordinator parses a filter to check it (and to prune shards by partition values) before
 * it hands out tickets; the data server parses the same text from the ticket again, binds each
 * file's partition values and scans with the Substrait form. Partition columns (hive {@code
 * key=value} folders) are part of the dataset's schema but not of its files: {@link #canMatch} and
 * {@link #toSubstrait} take their values as constants.
 *
 * <p>What a filter may say: comparisons ({@code = <> != < <= > >=}), {@code AND}, {@code OR},
 * {@code NOT}, {@code IN (..)}, {@code BETWEEN}, {@code IS [NOT] NULL}, {@code LIKE} with an exact
 * or prefix pattern ({@code 'abc'}, {@code 'abc%'}), {@code + - * /}, and literals (numbers,
 * strings, booleans, {@code NULL}, {@code DATE '..'}, {@code TIME '..'}, {@code TIMESTAMP '..'}). A
 * {@code TIMESTAMP '..'} compared with a column that has a time zone is read as UTC. Column names
 * are case-sensitive; names that are not plain identifiers go in double quotes.
 */
public final class RowFilter {
  private final String sql;
  private final Schema schema;
  private final RexNode condition;
  private final RexBuilder rexBuilder;

  private RowFilter(String sql, Schema schema, RexNode condition, RexBuilder rexBuilder) {
    this.sql = sql;
    this.schema = schema;
    this.condition = condition;
    this.rexBuilder = rexBuilder;
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
    requireNonNull(sql, "sql is null");
    requireNonNull(schema, "schema is null");
    FilterCompiler.Compiled compiled = FilterCompiler.compile(sql, schema);
    RexNode condition = NativeForm.rewrite(compiled.condition(), compiled.rexBuilder());
    return new RowFilter(sql, schema, condition, compiled.rexBuilder());
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
    requireNonNull(known, "known is null");
    return !NativeForm.bind(condition, schema, known, rexBuilder).isAlwaysFalse();
  }

  /**
   * The filter as a serialized Substrait {@code ExtendedExpression} over {@code fileSchema} (the
   * columns a file holds), with the columns in {@code known} replaced by their values, in a direct
   * buffer for {@code ScanOptions.Builder.substraitFilter}.
   *
   * <p>When the known values make the filter certainly false, the expression is the literal false
   * (the scan yields no rows); callers that can skip the file should ask {@link #canMatch} first.
   *
   * @throws IllegalArgumentException when the filter names a column that is neither in {@code
   *     fileSchema} nor in {@code known}
   */
  public ByteBuffer toSubstrait(Schema fileSchema, Map<String, Object> known) {
    requireNonNull(fileSchema, "fileSchema is null");
    requireNonNull(known, "known is null");
    RexNode bound = NativeForm.bind(condition, schema, known, rexBuilder);
    RexNode overFile = NativeForm.reindex(bound, schema, fileSchema);
    byte[] bytes = SubstraitWriter.write(overFile, fileSchema);
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes).flip();
    return buffer;
  }

  @Override
  public String toString() {
    return sql;
  }
}
