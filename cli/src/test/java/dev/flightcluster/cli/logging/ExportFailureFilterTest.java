package dev.flightcluster.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.ConnectException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExportFailureFilterTest {
  private static final String EXPORTER = "io.opentelemetry.exporter.otlp.internal.GrpcExporter";

  private final LoggerContext context = new LoggerContext();
  private final ExportFailureFilter filter = new ExportFailureFilter();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();

  @BeforeEach
  void setUp() {
    filter.setContext(context);
    filter.setEndpoint("http://localhost:4317");
    filter.start();
    context.addTurboFilter(filter);
    events.setContext(context);
    events.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
  }

  @Test
  void firstExportFailureWithHintThenSilence() {
    Logger exporter = context.getLogger(EXPORTER);
    ConnectException refused =
        new ConnectException("Failed to connect to localhost/127.0.0.1:4317");
    exporter.error("Failed to export spans. The request could not be executed.", refused);
    exporter.error("Failed to export spans. The request could not be executed.", refused);
    exporter.warn("Failed to export spans. Server responded with gRPC status code {}", 14);

    assertThat(events.list).hasSize(1);
    ILoggingEvent event = events.list.get(0);
    assertThat(event.getLoggerName()).isEqualTo(EXPORTER);
    assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
    assertThat(event.getFormattedMessage())
        .startsWith("Failed to export spans. The request could not be executed.")
        .contains("java.net.ConnectException: Failed to connect to localhost/127.0.0.1:4317")
        .contains("is a collector listening at http://localhost:4317?")
        .contains("further export failures are not logged");
    // The hint replaces the stack trace: the cause is in the message already.
    assertThat(event.getThrowableProxy()).isNull();
    assertThat(filter.hasReported()).isTrue();
  }

  @Test
  void aFailureToReachTheDefaultEndpointIsAWarningNotAnError() {
    filter.setEndpointConfigured(false);
    context
        .getLogger(EXPORTER)
        .error(
            "Failed to export spans. The request could not be executed.",
            new ConnectException("Failed to connect to localhost/127.0.0.1:4317"));

    assertThat(events.list)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
              assertThat(event.getFormattedMessage())
                  .contains("is a collector listening at http://localhost:4317?");
            });
  }

  @Test
  void spansLeftUnexportedAtExitAreReportedOnceAndOnlyWithoutAnEarlierFailure() {
    Logger exporterLoggers = context.getLogger(ExportFailureFilter.EXPORTER_LOGGERS);
    filter.reportUnfinishedExport(exporterLoggers, 1000);
    filter.reportUnfinishedExport(exporterLoggers, 1000);
    context.getLogger(EXPORTER).warn("Failed to export spans.");

    assertThat(events.list)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
              assertThat(event.getFormattedMessage())
                  .isEqualTo(
                      "spans not exported within 1000 ms of exit - is a collector listening at http://localhost:4317?");
            });
  }

  @Test
  void anExportFailureAlreadyReportedIsNotFollowedByTheExitReport() {
    context.getLogger(EXPORTER).warn("Failed to export spans.");
    filter.reportUnfinishedExport(context.getLogger(ExportFailureFilter.EXPORTER_LOGGERS), 1000);
    assertThat(events.list)
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .startsWith("Failed to export spans.");
  }

  @Test
  void formatsParametersOfTheFirstFailure() {
    context.getLogger(EXPORTER).warn("Failed to export {}s. Server responded with {}", "span", 14);
    assertThat(events.list)
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .startsWith("Failed to export spans. Server responded with 14 - is a collector");
  }

  @Test
  void otherLoggersAndLowerLevelsAreUntouched() {
    context.getLogger("dev.flightcluster.server.DataServer").warn("a real warning");
    context.getLogger("dev.flightcluster.server.DataServer").warn("another real warning");
    context.getLogger(EXPORTER).info("exporter info");
    assertThat(events.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("a real warning", "another real warning", "exporter info");
    assertThat(filter.hasReported()).isFalse();
  }

  @Test
  void enabledChecksDoNotUseUpTheReport() {
    Logger exporter = context.getLogger(EXPORTER);
    assertThat(exporter.isWarnEnabled()).isTrue();
    assertThat(exporter.isErrorEnabled()).isTrue();
    exporter.warn("Failed to export spans.");
    assertThat(events.list).hasSize(1);
  }

  @Test
  void logbackXmlInstallsTheFilter() throws Exception {
    LoggerContext configured = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(configured);
    configurator.doConfigure(getClass().getResource("/logback.xml"));
    assertThat(configured.getStatusManager().getCopyOfStatusList())
        .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
    assertThat(configured.getTurboFilterList())
        .hasAtLeastOneElementOfType(ExportFailureFilter.class);
    configured.stop();
  }
}
