package dev.flightcluster.e2e.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The system's headless Chromium and its chromedriver (Debian's {@code chromium} and {@code
 * chromium-driver}), found on the usual paths; nothing is downloaded. Without them the browser
 * tests are skipped on a developer's machine, but fail in CI ({@code CI=true}), where .ci/run has
 * installed them.
 */
final class Chromium {
  private static final List<String> BROWSERS =
      List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
  private static final List<String> DRIVERS =
      List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

  private Chromium() {}

  /**
   * A headless Chromium with its console logged, or the test skipped (failed in CI) without one.
   */
  static ChromeDriver start() {
    Optional<Path> browser = first(BROWSERS);
    Optional<Path> driver = first(DRIVERS);
    if (browser.isEmpty() || driver.isEmpty()) {
      String missing =
          "no chromium and chromedriver (looked in "
              + BROWSERS
              + " and "
              + DRIVERS
              + "); install Debian's chromium and chromium-driver";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("CI needs the browser tests to run: " + missing);
      }
      Assumptions.abort(missing);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.get().toFile());
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100");
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.get().toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static Optional<Path> first(List<String> paths) {
    return paths.stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }
}
