/**
 * SQL for pushdown. {@link dev.flightcluster.query.RowFilter} is a row filter parsed by Calcite and
 * validated against a dataset's Arrow schema, folded over the partition values of a file or shard,
 * and written as the Substrait {@code ExtendedExpression} that arrow-dataset's native scanner
 * evaluates (decisions D76-D78). {@link dev.flightcluster.query.SelectStatement} is the one
 * statement shape the Flight SQL face accepts.
 *
 * <p>The parts: {@code SqlSyntax} (the dialect), {@code SupportedSql} and {@code TypeCheck} (what a
 * filter may say, checked on the parsed tree so refusals have positions), {@code FilterCompiler}
 * (parse, validate, convert), {@code NativeForm} (exact rewrites and partition folding), {@code
 * SubstraitWriter} and {@code SubstraitTypes} (the protobuf Arrow 18 reads), {@code Balance}
 * (AND/OR chains as balanced trees, and the depth limit), {@code SqlErrors} (the one error form).
 * Every caller mistake is a {@link org.apache.arrow.flight.FlightRuntimeException} with
 * INVALID_ARGUMENT that names the problem and its position.
 */
package dev.flightcluster.query;
