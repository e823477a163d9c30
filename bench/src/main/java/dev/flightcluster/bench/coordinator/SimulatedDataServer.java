package dev.flightcluster.bench.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightTelemetry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A data server that speaks only the registration protocol's callback: it answers the coordinator's
 * ListFlights with a fixed listing, and serves no data. Listens on 127.0.0.1, port 0.
 */
final class SimulatedDataServer implements AutoCloseable {
  private final String id;
  private final BufferAllocator allocator;
  private final FlightServer server;
  private final AtomicInteger listCalls = new AtomicInteger();
  private volatile List<FlightInfo> listing = List.of();

  SimulatedDataServer(String id, BufferAllocator parent, FlightTelemetry telemetry)
      throws IOException {
    this.id = requireNonNull(id, "id is null");
    this.allocator = parent.newChildAllocator("server-" + id, 0, Long.MAX_VALUE);
    NoOpFlightProducer producer =
        new NoOpFlightProducer() {
          @Override
          public void listFlights(
              CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
            listCalls.incrementAndGet();
            listing.forEach(listener::onNext);
            listener.onCompleted();
          }
        };
    FlightServer started = null;
    try {
      started =
          telemetry
              .instrument(
                  FlightServer.builder(
                      allocator, Location.forGrpcInsecure("127.0.0.1", 0), producer))
              .build()
              .start();
    } finally {
      if (started == null) {
        allocator.close();
      }
    }
    this.server = started;
  }

  String id() {
    return id;
  }

  Location location() {
    return server.getLocation();
  }

  void setListing(List<FlightInfo> infos) {
    this.listing = List.copyOf(infos);
  }

  int listingSize() {
    return listing.size();
  }

  int listCalls() {
    return listCalls.get();
  }

  @Override
  public void close() throws InterruptedException {
    try {
      server.shutdown();
      server.awaitTermination(5, TimeUnit.SECONDS);
    } finally {
      // Cancels whatever is still running; returns at once when the server has terminated.
      try {
        server.close();
      } finally {
        allocator.close();
      }
    }
  }
}
