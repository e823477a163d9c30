/**
 * gRPC server glue that Flight does not expose: {@link dev.flightcluster.otel.grpc.RawRequestHook}
 * hands chosen methods' requests to the server as raw bytes, so that input gRPC cannot decode, or
 * would decode into something harmful, is answered with a precise status instead.
 */
package dev.flightcluster.otel.grpc;
