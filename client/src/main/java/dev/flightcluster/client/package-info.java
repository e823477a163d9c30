/**
 * The Java client library of arrow-flight-cluster: list, inspect, read and upload datasets.
 *
 * <p>{@link dev.flightcluster.client.FlightClusterClient} asks the coordinator what exists and
 * reads each dataset straight from the data servers that hold it, failing over between replicas;
 * uploads go to the server the coordinator chooses. Every call is traced with the {@link
 * dev.flightcluster.otel.FlightTelemetry} the client was built with, so its spans join whatever
 * trace is current in the calling thread.
 *
 * <p>Nothing here is specific to a command line: the {@code cli} module builds on this package.
 */
package dev.flightcluster.client;
