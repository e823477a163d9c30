/**
 * The metrics of arrow-flight-cluster: the names, units and labels of every {@code flight.*}
 * instrument ({@link dev.flightcluster.otel.metrics.FlightMetrics}), the bound on the number of
 * dataset label values ({@link dev.flightcluster.otel.metrics.BoundedLabel}), and the opt-in to the
 * stable RPC semantic conventions of the gRPC instrumentation ({@link
 * dev.flightcluster.otel.metrics.StableRpcConventions}). The processes record through the {@code
 * Meter} of the OpenTelemetry instance they are given; this package never touches the global one.
 */
package dev.flightcluster.otel.metrics;
