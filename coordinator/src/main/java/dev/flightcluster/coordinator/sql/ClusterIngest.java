package dev.flightcluster.coordinator.sql;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.AuthMiddleware;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.client.FlightClusterClientBuilder;
import dev.flightcluster.client.ParallelPutOptions;
import dev.flightcluster.client.ParallelPutResult;
import dev.flightcluster.client.ProgressListener;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.security.TlsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Bulk ingest as the cluster's parallel put (D85): the coordinator acts as the Java client would,
 * planning the put at itself (plan_put) and streaming the caller's batches to the data servers as
 * they arrive, then committing. With authentication on, it calls as the caller, with tokens for the
 * caller's user and role that it signs itself, so the put is allowed exactly when the caller may
 * write. One client per ingest, closed with it.
 */
public final class ClusterIngest implements BulkIngest {
  private final BufferAllocator allocator;
  private final FlightTelemetry telemetry;
  private final Supplier<Location> self;
  private final ServerAuth auth;
  private final TlsSettings tls;

  /**
   * @param allocator the parent of each ingest's allocators; the caller keeps ownership
   * @param self where this coordinator is reached, for plan_put
   * @param auth signs the tokens of the caller
   * @param tls how to reach the data servers and this coordinator
   */
  public ClusterIngest(
      BufferAllocator allocator,
      FlightTelemetry telemetry,
      Supplier<Location> self,
      ServerAuth auth,
      TlsSettings tls) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.self = requireNonNull(self, "self is null");
    this.auth = requireNonNull(auth, "auth is null");
    this.tls = requireNonNull(tls, "tls is null");
  }

  @Override
  public long ingest(CallContext context, String table, boolean append, FlightStream stream) {
    FlightClusterClientBuilder builder =
        FlightClusterClient.builder(allocator, telemetry, self.get()).tls(tls);
    AuthMiddleware.caller(context).flatMap(auth::credentialsFor).ifPresent(builder::credentials);
    try (BufferAllocator readerAllocator =
            allocator.newChildAllocator("ingest-" + table, 0, Long.MAX_VALUE);
        FlightStreamReader reader = new FlightStreamReader(stream, readerAllocator);
        FlightClusterClient client = builder.build()) {
      ParallelPutResult result =
          client.putDataset(
              table,
              reader,
              ParallelPutOptions.defaults().withAppend(append),
              ProgressListener.none());
      return result.rows();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
