package dev.flightcluster.server.registration;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.security.TlsSettings;
import io.opentelemetry.context.Context;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a data server registered with every coordinator: one independent {@link Registration} per
 * coordinator address, each with its own thread, deadlines and backoff, so one dead or slow
 * coordinator never delays the heartbeats to the others. The registry of a coordinator is soft
 * state rebuilt from hellos and heartbeats, so coordinators need no shared store: each one hears
 * from every server (docs/decisions.md D28).
 *
 * <p>Coordinator names are resolved again every few heartbeat intervals on the registrar's own
 * thread: an address that appears gets a registration, one that disappears is closed (goodbye if
 * reachable). A name that resolves to several addresses stands for one coordinator per address.
 *
 * <p>{@link #announce} reports a new listing to every coordinator at once and waits, up to the call
 * deadline, until each reachable one has pulled it: an upload completes only when the very next
 * ListFlights at any coordinator shows it. A coordinator that does not answer in time learns the
 * listing from its next heartbeat.
 */
public final class Registrar implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Registrar.class);

  private final FlightTelemetry telemetry;
  private final BufferAllocator allocator;
  private final LocalServer self;
  private final RegistrationTimes times;
  private final TlsSettings tls;
  private final CoordinatorAddresses addresses;
  private final ScheduledThreadPoolExecutor resolver;
  private final Object lock = new Object();

  // Replaced whole by the resolver thread under lock; read without it.
  private volatile Map<URI, Registration> registrations = Map.of();
  private final Optional<ClientCredentials> credentials;
  // Guarded by lock.
  private boolean closed;

  /**
   * @param allocator registration clients allocate from it; it must outlive the registrar
   * @param coordinators at least one; each name may stand for several addresses
   */
  public Registrar(
      FlightTelemetry telemetry,
      BufferAllocator allocator,
      List<Location> coordinators,
      HostResolver hostResolver,
      LocalServer self,
      RegistrationTimes times,
      Optional<ClientCredentials> credentials,
      TlsSettings tls) {
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.self = requireNonNull(self, "self is null");
    this.times = requireNonNull(times, "times is null");
    this.tls = requireNonNull(tls, "tls is null");
    requireNonNull(coordinators, "coordinators is null");
    if (coordinators.isEmpty()) {
      throw new IllegalArgumentException("no coordinator to register with");
    }
    this.addresses =
        new CoordinatorAddresses(
            coordinators, requireNonNull(hostResolver, "hostResolver is null"));
    this.resolver =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread =
                  new Thread(runnable, "flight-server-registrar-resolve-" + self.serverId());
              thread.setDaemon(true);
              return thread;
            });
    resolver.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Resolves the coordinators and starts registering with each, in the background, at once. */
  public void start() {
    resolver.execute(this::resolve);
  }

  /** The coordinator addresses registered with or trying to be, in resolution order. */
  List<URI> coordinators() {
    return List.copyOf(registrations.keySet());
  }

  /** The coordinator addresses that have accepted this server and not forgotten it since. */
  public List<URI> registeredWith() {
    return registrations.values().stream()
        .filter(Registration::registered)
        .map(Registration::coordinator)
        .toList();
  }

  private void resolve() {
    Duration next = times.resolveInterval();
    try {
      Set<URI> resolved = addresses.resolve();
      if (!addresses.complete()) {
        next = times.heartbeatInterval(); // a name not there yet: look again soon
      }
      reconcile(resolved);
    } catch (RuntimeException e) {
      log.warn("resolving the coordinators failed; trying again", e);
      next = times.heartbeatInterval();
    }
    try {
      resolver.schedule(this::resolve, next.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** Opens a registration per new address and closes those whose address went away. */
  private void reconcile(Set<URI> resolved) {
    List<Registration> added = new ArrayList<>();
    List<Registration> removed = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      Map<URI, Registration> next = new LinkedHashMap<>();
      for (URI address : resolved) {
        Registration registration = registrations.get(address);
        if (registration == null) {
          registration =
              new Registration(
                  telemetry,
                  allocator,
                  address,
                  self,
                  times,
                  credentials,
                  tls,
                  addresses.authority(address));
          added.add(registration);
        }
        next.put(address, registration);
      }
      for (Map.Entry<URI, Registration> entry : registrations.entrySet()) {
        if (!next.containsKey(entry.getKey())) {
          removed.add(entry.getValue());
        }
      }
      registrations = Collections.unmodifiableMap(next);
      added.forEach(Registration::start);
    }
    for (Registration registration : removed) {
      log.info(
          "coordinator {} no longer resolves; closing its registration",
          registration.coordinator());
      registration.beginClose();
    }
    awaitClosed(removed);
  }

  /** Waits for each registration to close; an interrupt shortens the waits but closes every one. */
  private static void awaitClosed(Iterable<Registration> closing) {
    boolean interrupted = false;
    for (Registration registration : closing) {
      try {
        registration.awaitClosed();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Tells every coordinator the current listing version now, in parallel and in the caller's trace
   * context, and waits until each has answered (by which time it has pulled the listing), but no
   * longer than the call deadline. Coordinators that are not registered or whose last call failed
   * are not waited for: their next hello or heartbeat carries the listing.
   */
  public void announce() {
    Context context = Context.current();
    List<Future<?>> pending = new ArrayList<>();
    for (Registration registration : registrations.values()) {
      pending.add(registration.announce(context));
    }
    long deadline = System.nanoTime() + times.callDeadline().toNanos();
    for (Future<?> future : pending) {
      try {
        future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // This coordinator learns the listing from its next heartbeat; a queued announce is
        // dropped.
        future.cancel(false);
      } catch (ExecutionException | CancellationException e) {
        log.debug("announcing the listing to a coordinator failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pending.forEach(f -> f.cancel(false));
        return;
      }
    }
  }

  /**
   * Stops the resolver, then says goodbye to every coordinator at once, best effort with a short
   * deadline.
   */
  @Override
  public void close() throws InterruptedException {
    Map<URI, Registration> open;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      open = registrations;
    }
    // A DNS lookup in progress cannot be interrupted; a reconcile finishing late sees closed.
    resolver.shutdownNow();
    open.values().forEach(Registration::beginClose);
    awaitClosed(open.values());
    resolver.awaitTermination(times.goodbyeDeadline().toMillis(), TimeUnit.MILLISECONDS);
  }
}
