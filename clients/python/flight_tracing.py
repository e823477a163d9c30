"""OpenTelemetry plumbing shared by the Python Flight clients.

pyarrow's Flight client does not know OpenTelemetry, so the trace context crosses to the
Java servers the same way the original Arrow Flight + OpenTelemetry example did it: a client
middleware that writes the W3C `traceparent` (and `tracestate`) of the *current* context into
the call headers, where the servers' gRPC instrumentation picks it up as the parent.
"""

from __future__ import annotations

import atexit
import os

import pyarrow.flight as flight
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from failover import DEFAULT_CONNECT_TIMEOUT, channel_options

_provider: TracerProvider | None = None


def init_tracing(default_service_name: str = "client") -> trace.Tracer:
    """Installs an SDK tracer provider exporting over OTLP, once per process.

    The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT itself
    (default http://localhost:4317), like the Java side's autoconfigure. OTEL_SDK_DISABLED=true
    keeps the no-op provider, so the scripts also run where no collector listens.
    A tracer provider installed before the first call is used as it is.
    """
    global _provider
    # A program that imports these clients and has set up its own SDK provider keeps it.
    already_configured = isinstance(trace.get_tracer_provider(), TracerProvider)
    disabled = os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true"
    if _provider is None and not already_configured and not disabled:
        # Imported lazily: the gRPC exporter pulls in grpcio, which a disabled run never needs.
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        # OTEL_SERVICE_NAME still overrides, as it does for the Java services.
        name = os.environ.get("OTEL_SERVICE_NAME") or default_service_name
        _provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(_provider)
        # A short-lived CLI exits before the batch processor's timer fires: without the flush
        # the spans of a whole run would be lost.
        atexit.register(shutdown_tracing)
    return trace.get_tracer("arrow-flight-cluster.python-client")


def shutdown_tracing() -> None:
    global _provider
    if _provider is not None:
        _provider.force_flush()
        _provider.shutdown()
        _provider = None


class TracingClientMiddlewareFactory(flight.ClientMiddlewareFactory):
    """Gives every Flight call a middleware that propagates the caller's span."""

    def start_call(self, info):
        return TracingClientMiddleware()


class TracingClientMiddleware(flight.ClientMiddleware):
    def sending_headers(self):
        # pyarrow calls this synchronously on the calling thread, so the "current" context is
        # the span the caller has open around the Flight call (e.g. do_get).
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        return carrier

    def received_headers(self, headers):
        pass

    def call_completed(self, exception):
        pass


def connect(location: str, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
            tls_ca: bytes | None = None) -> flight.FlightClient:
    """A traced client with a connect timeout and keepalive (failover.channel_options).

    `tls_ca`: PEM CA certificates trusted for a grpc+tls:// location (tls.tls_root_certs); None
    trusts the system's CAs."""
    tls = {"tls_root_certs": tls_ca} if tls_ca is not None else {}
    return flight.connect(location, middleware=[TracingClientMiddlewareFactory()],
                          generic_options=channel_options(connect_timeout), **tls)
