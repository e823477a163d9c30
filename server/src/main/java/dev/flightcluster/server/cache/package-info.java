/**
 * The hot cache of a data server: an Arrow IPC copy of each Parquet file it serves often, kept in a
 * folder of its own and read instead of the Parquet file while it is current ({@link
 * dev.flightcluster.server.cache.HotCache}). An optimisation only: whatever goes wrong with a copy,
 * the stream reads the Parquet file.
 */
package dev.flightcluster.server.cache;
