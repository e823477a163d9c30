/**
 * SQL for pushdown. {@link dev.flightcluster.query.RowFilter} is a row filter parsed and validated
 * against a dataset's Arrow schema, folded over the partition values of a file or shard, and turned
 * into the Substrait expression that arrow-dataset's native scanner evaluates. {@link
 * dev.flightcluster.query.SelectStatement} is the one statement shape the Flight SQL face accepts.
 * Every caller mistake is a {@link org.apache.arrow.flight.FlightRuntimeException} with
 * INVALID_ARGUMENT that names the problem and its position.
 */
package dev.flightcluster.query;
