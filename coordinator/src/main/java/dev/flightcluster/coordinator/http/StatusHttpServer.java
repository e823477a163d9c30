package dev.flightcluster.coordinator.http;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flightcluster.protocol.ClusterStatus;
import dev.flightcluster.protocol.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTP side: the status page ({@code /}), its data as JSON ({@code
 * /api/cluster}), and the probes {@code /healthz} (the process answers) and {@code /readyz} (the
 * coordinator is warm, as its gRPC health says). Built on the JDK's HTTP server with a few threads
 * and a bounded queue: it serves people and probes, not clients. Only GET and HEAD are served.
 *
 * <p>The page is a static HTML skeleton and one script from the classpath; the script polls {@code
 * /api/cluster} and draws everything, so the page needs no build step and loads nothing from
 * elsewhere (its Content-Security-Policy says so).
 *
 * <p>Owns its server and threads: {@link #close()} stops both.
 */
public final class StatusHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusHttpServer.class);

  /** Threads answering requests; a page refresh is one small request every two seconds. */
  private static final int THREADS = 2;

  /** Requests that may wait for a thread; beyond it the accepting thread answers them itself. */
  private static final int QUEUE = 32;

  /** How long close lets requests in progress finish. */
  private static final int STOP_DELAY_SECONDS = 1;

  private static final String RESOURCES = "/dev/flightcluster/coordinator/http/";

  private static final Map<String, String> STATIC_FILES =
      Map.of(
          "/status.js", "text/javascript; charset=utf-8",
          "/status.css", "text/css; charset=utf-8");

  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

  private final Supplier<ClusterStatus> status;
  private final BooleanSupplier ready;
  private final HttpAuth auth;
  private final String page;
  private final Map<String, byte[]> files;
  private final ThreadPoolExecutor executor;
  private final HttpServer server;

  /**
   * Binds at once; requests are served after {@link #start()}.
   *
   * @param bind the address and port; port 0 picks a free one
   * @param status the data of the page, taken afresh for every request
   * @param ready whether {@code /readyz} answers 200
   * @param auth decides every request but the probes
   * @throws UncheckedIOException when the address cannot be bound
   */
  public StatusHttpServer(
      InetSocketAddress bind,
      Supplier<ClusterStatus> status,
      BooleanSupplier ready,
      HttpAuth auth) {
    requireNonNull(bind, "bind is null");
    this.status = requireNonNull(status, "status is null");
    this.ready = requireNonNull(ready, "ready is null");
    this.auth = requireNonNull(auth, "auth is null");
    this.page = new String(resource("status.html"), StandardCharsets.UTF_8);
    this.files = Map.of("/status.js", resource("status.js"), "/status.css", resource("status.css"));
    this.executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            Thread.ofPlatform().name("coordinator-http-", 0).daemon().factory(),
            // Slows down accepting rather than dropping a connection without an answer.
            new ThreadPoolExecutor.CallerRunsPolicy());
    try {
      this.server = HttpServer.create(bind, 0);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException(
          "cannot serve the status page at " + bind + ": " + e.getMessage(), e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts answering requests. */
  public void start() {
    server.start();
  }

  /** The port it listens on; the chosen one when it was asked for port 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops listening, lets requests in progress finish for a moment, and stops its threads. */
  @Override
  public void close() {
    server.stop(STOP_DELAY_SECONDS);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Headers headers = exchange.getResponseHeaders();
      headers.set("X-Content-Type-Options", "nosniff");
      headers.set("Cache-Control", "no-store");
      if (!isKnown(path)) {
        send(
            exchange,
            404,
            "text/plain; charset=utf-8",
            text(
                "not found: "
                    + path
                    + "; try / (the status page), /api/cluster, /healthz or /readyz"));
        return;
      }
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        headers.set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", text(method + " is not allowed; use GET"));
        return;
      }
      switch (path) {
        case "/healthz" -> send(exchange, 200, "text/plain; charset=utf-8", text("ok"));
        case "/readyz" -> {
          boolean warm = ready.getAsBoolean();
          send(
              exchange,
              warm ? 200 : 503,
              "text/plain; charset=utf-8",
              text(warm ? "ready" : "warming up: not every data server has been heard from yet"));
        }
        default -> answer(exchange, () -> serveProtected(exchange, path));
      }
    } catch (RuntimeException e) {
      log.warn("Bug: the status page failed to answer {}", exchange.getRequestURI().getPath(), e);
    }
  }

  /** Answers 500 when a route failed before it answered; a route that did answer is left alone. */
  private void answer(HttpExchange exchange, Route route) throws IOException {
    try {
      route.serve();
    } catch (RuntimeException e) {
      if (exchange.getResponseCode() == -1) {
        send(
            exchange,
            500,
            "text/plain; charset=utf-8",
            text("the coordinator failed to answer; its log says why"));
      }
      throw e;
    }
  }

  @FunctionalInterface
  private interface Route {
    void serve() throws IOException;
  }

  private void serveProtected(HttpExchange exchange, String path) throws IOException {
    HttpAuth.Decision decision =
        auth.check(
            exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRemoteAddress());
    if (!decision.allowed()) {
      if (decision.status() == 401) {
        exchange
            .getResponseHeaders()
            .set(
                "WWW-Authenticate",
                "Basic realm=\"flight-cluster\", Bearer realm=\"flight-cluster\"");
      }
      send(exchange, decision.status(), "text/plain; charset=utf-8", text(decision.reason()));
      return;
    }
    switch (path) {
      case "/" -> {
        exchange.getResponseHeaders().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        send(exchange, 200, "text/html; charset=utf-8", text(page));
      }
      case "/api/cluster" -> send(exchange, 200, "application/json", Messages.encode(status.get()));
      default -> send(exchange, 200, STATIC_FILES.get(path), files.get(path));
    }
  }

  private static boolean isKnown(String path) {
    return switch (path) {
      case "/", "/api/cluster", "/healthz", "/readyz" -> true;
      default -> STATIC_FILES.containsKey(path);
    };
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    // -1: no body, as HEAD requires; otherwise the exact length.
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static byte[] text(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] resource(String name) {
    try (InputStream in = StatusHttpServer.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The page's address for people, e.g. {@code http://127.0.0.1:8080/}, given the host to show. */
  public URI uri(String host) {
    requireNonNull(host, "host is null");
    return URI.create(
        "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
  }
}
