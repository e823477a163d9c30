package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Separate, bounded thread pools for the kinds of calls a data server takes, so a flood of one kind
 * cannot starve another: uploads (DoPut), reads (DoGet), control calls (listing, schema, actions)
 * and the gRPC health check each run their gRPC callbacks on a pool of their own, and each kind
 * admits a bounded number of open calls; one more is answered RESOURCE_EXHAUSTED at once.
 *
 * <p>gRPC looks up every call's method on its default executor and then moves the call to the pool
 * {@link #getExecutor} names; that default executor does nothing else here, so it never waits
 * behind data work. DoPut bodies, which Flight runs as tasks of their own and which block while
 * they wait for the client's data, get a further pool sized to the upload limit, so a waiting
 * upload never holds a thread that delivers messages.
 *
 * <p>While the server drains ({@link #drain}), new calls other than health checks get UNAVAILABLE,
 * and {@link #endOpenCalls} ends the calls still open after the drain period with UNAVAILABLE, so
 * clients move to another replica instead of seeing a cancel.
 */
final class CallPools implements ServerCallExecutorSupplier, ServerInterceptor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallPools.class);
  private static final String FLIGHT_SERVICE = "arrow.flight.protocol.FlightService/";
  private static final String HEALTH_SERVICE = "grpc.health.v1.Health/";
  private static final Duration STOP_GRACE = Duration.ofSeconds(1);

  /** The kinds of calls that never share threads. */
  enum Kind {
    UPLOAD,
    READ,
    CONTROL,
    HEALTH;

    static Kind of(String fullMethodName) {
      if (fullMethodName.startsWith(HEALTH_SERVICE)) {
        return HEALTH;
      }
      if (fullMethodName.startsWith(FLIGHT_SERVICE)) {
        String method = fullMethodName.substring(FLIGHT_SERVICE.length());
        switch (method) {
          case "DoPut", "DoExchange" -> {
            return UPLOAD;
          }
          case "DoGet" -> {
            return READ;
          }
          default -> {
            return CONTROL;
          }
        }
      }
      return CONTROL;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Threads and open calls of one kind. */
  record Limit(int threads, int maxCalls) {
    Limit {
      if (threads < 1 || maxCalls < 1) {
        throw new IllegalArgumentException(
            "threads and maxCalls must be positive: " + threads + ", " + maxCalls);
      }
    }
  }

  private record Pool(Kind kind, ThreadPoolExecutor executor, int maxCalls, AtomicInteger calls) {}

  private final Supplier<String> serverId;
  private final Map<Kind, Pool> pools = new EnumMap<>(Kind.class);
  private final ThreadPoolExecutor dispatch;
  private final ThreadPoolExecutor uploadBodies;
  private final ExecutorService uploadBodiesWithContext;
  private final Set<ServerCall<?, ?>> openCalls = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  /**
   * @param serverId names the server in the messages of refused calls
   * @param limits the threads and open calls of each kind; every kind must be present
   */
  CallPools(Supplier<String> serverId, Map<Kind, Limit> limits) {
    this.serverId = requireNonNull(serverId, "serverId is null");
    requireNonNull(limits, "limits is null");
    for (Kind kind : Kind.values()) {
      Limit limit = requireNonNull(limits.get(kind), "no limit for " + kind);
      // Unbounded queues, bounded in effect: a call queues at most one task at a time (gRPC
      // serializes its callbacks), and open calls are capped by the admission below.
      pools.put(
          kind,
          new Pool(
              kind,
              fixed(limit.threads(), "flight-server-" + kind.label()),
              limit.maxCalls(),
              new AtomicInteger()));
    }
    this.dispatch = fixed(2, "flight-server-dispatch");
    int uploads = limits.get(Kind.UPLOAD).maxCalls();
    this.uploadBodies = fixed(uploads, "flight-server-upload-body");
    // Carries the gRPC span into the DoPut body, which Flight runs as a task of its own.
    this.uploadBodiesWithContext = Context.taskWrapping(uploadBodies);
  }

  /** Routes a Netty server's calls through these pools; call it from the builder's customizer. */
  void install(NettyServerBuilder netty) {
    netty.executor(dispatch).callExecutor(this).intercept(this);
  }

  /** The executor to hand {@code FlightServer.Builder.executor}: it runs only DoPut bodies. */
  ExecutorService uploadExecutor() {
    return uploadBodiesWithContext;
  }

  /** Calls of {@code kind} open now. */
  int openCalls(Kind kind) {
    return pools.get(kind).calls().get();
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
    return pools.get(Kind.of(call.getMethodDescriptor().getFullMethodName())).executor();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Kind kind = Kind.of(call.getMethodDescriptor().getFullMethodName());
    if (draining && kind != Kind.HEALTH) {
      return refuse(
          call,
          Status.UNAVAILABLE.withDescription(
              "server " + serverId.get() + " is shutting down; use another replica"));
    }
    Pool pool = pools.get(kind);
    if (pool.calls().incrementAndGet() > pool.maxCalls()) {
      pool.calls().decrementAndGet();
      return refuse(
          call,
          Status.RESOURCE_EXHAUSTED.withDescription(
              "server "
                  + serverId.get()
                  + " has as many "
                  + kind.label()
                  + " calls open as it takes ("
                  + pool.maxCalls()
                  + "); retry later or use another replica"));
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            openCalls.remove(call);
            pool.calls().decrementAndGet();
          }
        };
    openCalls.add(call);
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException | Error e) {
      release.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          release.run();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          release.run();
        }
      }
    };
  }

  private static <ReqT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, ?> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** From now on, new calls other than health checks get UNAVAILABLE. */
  void drain() {
    draining = true;
  }

  /**
   * Ends every call still open, except reads and health checks, with {@code status}. Reads end
   * through their own streaming thread ({@link DataProducer#closeStreams}), which is the only
   * thread that may write to them.
   */
  void endOpenCalls(Status status) {
    for (ServerCall<?, ?> call : openCalls) {
      Kind kind = Kind.of(call.getMethodDescriptor().getFullMethodName());
      if (kind == Kind.READ || kind == Kind.HEALTH) {
        continue;
      }
      try {
        call.close(status, new Metadata());
      } catch (RuntimeException e) {
        // It ended by itself meanwhile.
        log.debug("{} call had ended already: {}", kind.label(), e.toString());
      }
    }
  }

  /** Stops every pool; the server has terminated, so only stray tasks can remain. */
  @Override
  public void close() throws InterruptedException {
    ExecutorService[] all = {
      uploadBodies,
      dispatch,
      pools.get(Kind.UPLOAD).executor(),
      pools.get(Kind.READ).executor(),
      pools.get(Kind.CONTROL).executor(),
      pools.get(Kind.HEALTH).executor()
    };
    for (ExecutorService executor : all) {
      executor.shutdown();
    }
    for (ExecutorService executor : all) {
      if (!executor.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    }
  }

  private static ThreadPoolExecutor fixed(int threads, String prefix) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
