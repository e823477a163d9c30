package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Goodbye;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.HeartbeatReply;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.HelloReply;
import dev.flightcluster.protocol.Locations;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How data servers join, stay and leave: say_hello, heartbeat, goodbye and lease expiry. It keeps
 * the registry and the callback clients in step, so a server the registry forgets never keeps an
 * open channel.
 */
final class Membership {
  private static final Logger log = LoggerFactory.getLogger(Membership.class);

  private final Registry registry;
  private final CallbackClients clients;
  private final ListingPuller puller;
  private final Callbacks callbacks;
  private final WarmUp warmUp;
  private final ServerActivity activity;
  private final HelloReply helloReply;
  private final CoordinatorMetrics metrics;

  /**
   * Who registered each server id: only that identity may say hello again, heartbeat or say goodbye
   * for it while the coordinator knows the id, so that no one can take over a live server's place.
   * Without authentication every caller is "" and this checks nothing.
   */
  private final Map<String, String> owners = new ConcurrentHashMap<>();

  Membership(
      Registry registry,
      CallbackClients clients,
      ListingPuller puller,
      Callbacks callbacks,
      WarmUp warmUp,
      ServerActivity activity,
      Duration lease,
      Duration heartbeatInterval,
      CoordinatorMetrics metrics) {
    this.registry = requireNonNull(registry, "registry is null");
    this.clients = requireNonNull(clients, "clients is null");
    this.puller = requireNonNull(puller, "puller is null");
    this.callbacks = requireNonNull(callbacks, "callbacks is null");
    this.warmUp = requireNonNull(warmUp, "warmUp is null");
    this.activity = requireNonNull(activity, "activity is null");
    requireNonNull(lease, "lease is null");
    requireNonNull(heartbeatInterval, "heartbeatInterval is null");
    this.helloReply = new HelloReply(lease.toMillis(), heartbeatInterval.toMillis());
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  /**
   * Registers a server after listing its datasets. A server whose listing cannot be read is not
   * registered at all, not even under an earlier hello: clients would otherwise be sent to a server
   * whose contents the coordinator cannot vouch for.
   *
   * <p>The listing is pulled on a callback thread; the reply completes when it is registered.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT for a bad id or
   *     location, UNAVAILABLE at once when a hello for the same id or address is in progress
   */
  CompletableFuture<HelloReply> hello(Hello hello, String caller) {
    String id = serverId(hello.serverId());
    Location location = Locations.parse(hello.location());
    Span.current().setAttribute(FlightAttributes.SERVER_ID, id);
    checkOwner(id, caller, "say hello as");
    warmUp.heardFrom(id);
    return callbacks.run(
        id, location.getUri().toString(), () -> register(id, location, hello, caller));
  }

  /**
   * @throws FlightRuntimeException PERMISSION_DENIED when the coordinator knows server {@code id}
   *     registered by another identity than {@code caller}
   */
  private void checkOwner(String id, String caller, String what) {
    requireNonNull(caller, "caller is null");
    String owner = owners.get(id);
    if (owner != null && !owner.equals(caller) && registry.find(id).isPresent()) {
      throw CallStatus.UNAUTHORIZED
          .withDescription(
              "user '"
                  + caller
                  + "' may not "
                  + what
                  + " server '"
                  + id
                  + "': another node user registered it and its lease runs; a data server keeps"
                  + " one --node-user, and ids are unique in the cluster")
          .toRuntimeException();
    }
  }

  private HelloReply register(String id, Location location, Hello hello, String caller) {
    Map<DatasetName, ServerDataset> datasets;
    try {
      datasets = puller.pull(id, clients.clientFor(id, location));
    } catch (FlightRuntimeException e) {
      registry
          .remove(id)
          .ifPresent(
              old ->
                  log.info(
                      "Server {} at {} is unregistered: its new hello failed",
                      id,
                      old.location().getUri()));
      clients.close(id);
      owners.remove(id);
      throw e;
    }
    Optional<RegisteredServer> previous = registry.find(id);
    RegisteredServer server = registry.register(id, location, hello.listingVersion(), datasets);
    owners.put(id, caller);
    metrics.hello();
    log.info(
        "Server {} at {} {} with {} datasets (listing version {})",
        id,
        location.getUri(),
        previous.isPresent() ? "said hello again" : "joined",
        server.datasets().size(),
        server.listingVersion());
    warmUp.pulled(id);
    return helloReply;
  }

  /**
   * Renews a server's lease at once, on the calling thread, so that no amount of callback work
   * delays it. When its listing changed, the new listing is pulled on a callback thread before the
   * reply completes, so that once a server's heartbeat after a DoPut returns, the coordinator lists
   * the new dataset.
   */
  CompletableFuture<HeartbeatReply> heartbeat(Heartbeat heartbeat, String caller) {
    String id = serverId(heartbeat.serverId());
    Span.current().setAttribute(FlightAttributes.SERVER_ID, id);
    checkOwner(id, caller, "heartbeat as");
    if (heartbeat.activeStreams() < 0) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("active_streams must not be negative, got " + heartbeat.activeStreams())
          .toRuntimeException();
    }
    Optional<RegisteredServer> renewed = registry.renew(id, heartbeat.activeStreams());
    if (renewed.isEmpty()) {
      log.debug("Heartbeat from unknown server {}: asking it to say hello again", id);
      warmUp.heardFrom(id);
      return CompletableFuture.completedFuture(new HeartbeatReply(false));
    }
    metrics.heartbeat();
    RegisteredServer server = renewed.get();
    if (heartbeat.stats() != null) {
      activity.record(id, heartbeat.stats());
    }
    if (server.listingVersion() == heartbeat.listingVersion()) {
      return CompletableFuture.completedFuture(new HeartbeatReply(true));
    }
    return callbacks.run(
        id,
        null,
        () -> {
          Map<DatasetName, ServerDataset> datasets =
              puller.pull(id, clients.clientFor(id, server.location()));
          if (registry.updateListing(server, heartbeat.listingVersion(), datasets)) {
            log.info(
                "Server {} listing changed from version {} to {}: {} datasets",
                id,
                server.listingVersion(),
                heartbeat.listingVersion(),
                datasets.size());
          }
          return new HeartbeatReply(true);
        });
  }

  /** Forgets a server at once. Idempotent: a goodbye from an unknown server is not an error. */
  void goodbye(Goodbye goodbye, String caller) {
    String id = serverId(goodbye.serverId());
    Span.current().setAttribute(FlightAttributes.SERVER_ID, id);
    checkOwner(id, caller, "say goodbye for");
    owners.remove(id);
    registry
        .remove(id)
        .ifPresent(
            server -> log.info("Server {} at {} said goodbye", id, server.location().getUri()));
    warmUp.left(id);
    clients.close(id);
  }

  /**
   * Evicts every server whose lease has run out, forgets the activity of servers gone, and notices
   * the end of the warm-up.
   */
  void sweep() {
    warmUp.isWarm();
    activity.retainOnly(registry.liveServers().stream().map(RegisteredServer::id).toList());
    for (RegisteredServer server : registry.removeExpired()) {
      metrics.evicted();
      log.info(
          "Evicted server {} at {}: its lease expired at {} without a heartbeat",
          server.id(),
          server.location().getUri(),
          server.leaseExpiry());
      owners.remove(server.id());
      clients.close(server.id());
    }
  }

  private static String serverId(String id) {
    if (id.isBlank()) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "server_id is empty: every data server needs a stable id, unique in the cluster")
          .toRuntimeException();
    }
    if (id.chars().anyMatch(Character::isISOControl)) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("server_id must not contain control characters")
          .toRuntimeException();
    }
    return id;
  }
}
