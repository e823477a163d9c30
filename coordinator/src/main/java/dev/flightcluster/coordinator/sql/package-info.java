/**
 * The coordinator's Flight SQL face (decisions D83, D84, D85): the datasets as the tables of one
 * catalog and schema, {@code SELECT} statements turned into the pushdown of a {@link
 * dev.flightcluster.protocol.QueryCommand} whose endpoints are at the data servers, stateless
 * prepared statements whose handle is the statement, and bulk ingest onto the cluster's parallel
 * put. {@link dev.flightcluster.coordinator.sql.ClusterSqlProducer} is the Flight SQL producer; the
 * coordinator routes Flight SQL requests to it beside its plain Flight calls.
 */
package dev.flightcluster.coordinator.sql;
