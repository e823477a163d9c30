package dev.flightcluster.query;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
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
  /** The most operators a filter may have, for the same reason as {@code MAX_IN_VALUES}. */
  static final int MAX_OPERATORS = 1_200;

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
    int size = NativeForm.operators(condition);
    if (size > MAX_OPERATORS) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "invalid filter: it has "
                  + size
                  + " operators once IN, BETWEEN and LIKE are expanded; the native scan takes at"
                  + " most "
                  + MAX_OPERATORS)
          .toRuntimeException();
    }
    return new RowFilter(sql, schema, condition, compiled.rexBuilder());
  }

  /**
   * Loads and initializes the SQL machinery by parsing a trivial filter. The first parse in a JVM
   * costs seconds (Calcite's operator tables and validator classes); later ones take milliseconds.
   * A server calls this once at start, off the request path, so its first filtered request does not
   * pay for it. Safe to call any number of times, from any thread.
   */
  public static void warmUp() {
    Schema schema = new Schema(List.of(Field.nullable("x", new ArrowType.Int(64, true))));
    RowFilter filter = parse("x > 1 AND x IN (2, 3)", schema);
    filter.canMatch(Map.of("x", 2L));
    filter.toSubstrait(schema, Map.of());
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
