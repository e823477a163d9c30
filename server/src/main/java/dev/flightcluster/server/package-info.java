/**
 * The data server of arrow-flight-cluster: {@link dev.flightcluster.server.DataServer} serves the
 * Parquet datasets of a directory over Arrow Flight, through arrow-dataset, takes uploads, and
 * keeps itself registered with a coordinator.
 */
package dev.flightcluster.server;
