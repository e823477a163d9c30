package dev.flightcluster.coordinator.sql;

import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightStream;

/**
 * Writes a Flight SQL bulk ingest (ADBC's {@code adbc_ingest}) into the cluster as a put. The
 * stream is read batch by batch and never held whole.
 */
public interface BulkIngest {
  /**
   * Writes every batch of {@code stream} to the dataset {@code table}.
   *
   * @param context the caller's call, whose user the put runs as
   * @param table the dataset to write, one path segment
   * @param append whether to add to an existing dataset (which must have the same schema) rather
   *     than create a new one
   * @return the rows written
   * @throws org.apache.arrow.flight.FlightRuntimeException ALREADY_EXISTS, NOT_FOUND,
   *     INVALID_ARGUMENT, UNAVAILABLE as the cluster's put fails
   */
  long ingest(CallContext context, String table, boolean append, FlightStream stream);
}
