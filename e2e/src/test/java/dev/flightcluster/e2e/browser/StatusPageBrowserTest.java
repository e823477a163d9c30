package dev.flightcluster.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.client.GetResult;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.InMemoryTelemetry;
import dev.flightcluster.testing.SampleTable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The status page in a real headless Chromium, over a running cluster in this JVM: a coordinator
 * with a short lease and two data servers. It renders the servers and datasets, follows a server
 * that leaves, and logs nothing to the browser console. Screenshots go to {@code target/}.
 *
 * <p>Tagged {@code browser}: not part of the default build; .ci/run runs it as its own suite.
 */
@Tag("browser")
class StatusPageBrowserTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration HEARTBEAT = Duration.ofMillis(200);
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir Path work;

  private final InMemoryTelemetry coordinatorTelemetry =
      InMemoryTelemetry.forService("coordinator");
  private final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private final BufferAllocator coordinatorAllocator = new RootAllocator();
  private final BufferAllocator clientAllocator = new RootAllocator();
  private final List<BufferAllocator> serverAllocators = new ArrayList<>();
  private final List<DataServer> servers = new ArrayList<>();
  private Coordinator coordinator;
  private ChromeDriver browser;

  @BeforeEach
  void startCluster() throws Exception {
    coordinator =
        Coordinator.builder(coordinatorAllocator, coordinatorTelemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .lease(LEASE)
            .heartbeatInterval(HEARTBEAT)
            .httpPort(0)
            .jaegerUrl(URI.create("http://127.0.0.1:16686"))
            .build()
            .start();
    servers.add(startServer("server-1", "trips.parquet", new SampleTable(20_000, 1)));
    servers.add(startServer("server-2", "zones.parquet", new SampleTable(3_000, 2)));
  }

  @AfterEach
  void stop() throws Exception {
    try (coordinatorTelemetry;
        serverTelemetry;
        clientTelemetry;
        coordinatorAllocator;
        clientAllocator) {
      if (browser != null) {
        browser.quit();
      }
      for (DataServer server : servers) {
        server.close();
      }
      for (BufferAllocator allocator : serverAllocators) {
        allocator.close();
      }
      if (coordinator != null) {
        coordinator.close();
      }
    }
  }

  @Test
  void thePageShowsTheClusterFollowsALeavingServerAndLogsNoErrors() throws Exception {
    readEverything();
    browser = Chromium.start();
    browser.get(coordinator.statusPage().orElseThrow().toString());

    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(rowKeys("servers", "data-server-id"))
                  .containsExactly("server-1", "server-2");
              assertThat(rowKeys("datasets", "data-dataset"))
                  .containsExactly("trips.parquet", "zones.parquet");
              // The read above, reported by server-1's heartbeats.
              assertThat(cell("servers", "data-server-id", "server-1", 6)).contains("20000 rows");
            });
    assertThat(cell("datasets", "data-dataset", "trips.parquet", 1)).isEqualTo("20000");
    assertThat(cell("datasets", "data-dataset", "trips.parquet", 5)).isEqualTo("server-1");
    assertThat(browser.findElement(By.id("summary")).getText())
        .contains("2 live data servers", "2 datasets", "(ready)");
    assertThat(browser.findElements(By.cssSelector("#throughput svg polyline"))).hasSize(1);
    assertThat(
            browser.findElements(By.cssSelector("#slow a[href^='http://127.0.0.1:16686/trace/']")))
        .as("the slow reads link to their traces in Jaeger")
        .isNotEmpty();
    screenshot("status-page.png");

    servers.remove(1).close();

    await()
        .atMost(LEASE.multipliedBy(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(rowKeys("servers", "data-server-id")).containsExactly("server-1");
              assertThat(rowKeys("datasets", "data-dataset")).containsExactly("trips.parquet");
            });
    screenshot("status-page-after-server-2-left.png");

    List<LogEntry> problems =
        browser.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
            .toList();
    assertThat(problems).as("browser console warnings and errors").isEmpty();
  }

  private void readEverything() throws Exception {
    try (FlightClusterClient client =
        FlightClusterClient.builder(
                clientAllocator,
                clientTelemetry.flightTelemetry(),
                Location.forGrpcInsecure("127.0.0.1", coordinator.port()))
            .build()) {
      List<FlightInfo> infos =
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(() -> client.list(""), listed -> listed.size() == 2);
      for (FlightInfo info : infos) {
        GetResult result = client.get(info, batch -> true);
        assertThat(result.complete()).isTrue();
      }
    }
  }

  private List<String> rowKeys(String table, String attribute) {
    return browser
        .findElements(By.cssSelector("#" + table + " tbody tr[" + attribute + "]"))
        .stream()
        .map(row -> row.getAttribute(attribute))
        .toList();
  }

  private String cell(String table, String attribute, String key, int column) {
    WebElement row =
        browser.findElement(
            By.cssSelector("#" + table + " tbody tr[" + attribute + "='" + key + "']"));
    return row.findElements(By.tagName("td")).get(column).getText();
  }

  private void screenshot(String name) throws Exception {
    Files.createDirectories(SCREENSHOTS);
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  private DataServer startServer(String id, String dataset, SampleTable table) throws Exception {
    Path dataDir = Files.createDirectories(work.resolve(id));
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 1_000)) {
      ParquetFiles.write(allocator, reader, dataDir.resolve(dataset));
    }
    BufferAllocator allocator = new RootAllocator();
    serverAllocators.add(allocator);
    return DataServer.builder(allocator, serverTelemetry.flightTelemetry())
        .location(Location.forGrpcInsecure("127.0.0.1", 0))
        .advertisedLocation(Location.forGrpcInsecure("127.0.0.1", 0))
        .dataDir(dataDir)
        .serverId(id)
        .coordinators(List.of(Location.forGrpcInsecure("127.0.0.1", coordinator.port())))
        .heartbeatInterval(HEARTBEAT)
        .batchRows(4096)
        .build()
        .start();
  }
}
