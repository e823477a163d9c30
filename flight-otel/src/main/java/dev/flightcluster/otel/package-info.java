/**
 * OpenTelemetry for Arrow Flight Java: the Java twin of Arrow C++'s tracing middleware.
 *
 * <p>{@link dev.flightcluster.otel.FlightTelemetry} wires the opentelemetry-grpc-1.6 interceptors
 * into a {@link org.apache.arrow.flight.FlightServer.Builder} and into the channels of {@link
 * org.apache.arrow.flight.FlightClient}s, so producer methods and application code see {@code
 * Span.current()} and every hop carries W3C trace context. Flight's own middleware is not used: it
 * runs outside the gRPC call's context and cannot make a span current.
 *
 * <p>This package never touches {@code GlobalOpenTelemetry}; callers pass the instance to use.
 */
package dev.flightcluster.otel;
