package dev.flightcluster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JaegerUiTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Test
  void foundWhereTheQueryApiAnswers() throws Exception {
    HttpServer jaeger = server("{\"data\":[\"client\",\"server\"],\"total\":2}");
    try {
      int port = jaeger.getAddress().getPort();
      URI base = URI.create("http://127.0.0.1:" + port);
      assertThat(JaegerUi.at("127.0.0.1", port, TIMEOUT)).contains(base);
      assertThat(JaegerUi.traceUrl(base, "0af7651916cd43dd8448eb211c80319c"))
          .hasToString("http://127.0.0.1:" + port + "/trace/0af7651916cd43dd8448eb211c80319c");
    } finally {
      jaeger.stop(0);
    }
  }

  @Test
  void notFoundWhenSomethingElseAnswersOrNothing() throws Exception {
    HttpServer other = server("hello");
    try {
      assertThat(JaegerUi.at("127.0.0.1", other.getAddress().getPort(), TIMEOUT)).isEmpty();
    } finally {
      other.stop(0);
    }
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertThat(JaegerUi.at("127.0.0.1", closed, TIMEOUT)).isEmpty();
    assertThat(JaegerUi.near("not a url", TIMEOUT)).isEmpty();
  }

  private static HttpServer server(String servicesBody) throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/services",
        exchange -> {
          byte[] body = servicesBody.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (exchange) {
            exchange.getResponseBody().write(body);
          }
        });
    server.start();
    return server;
  }
}
