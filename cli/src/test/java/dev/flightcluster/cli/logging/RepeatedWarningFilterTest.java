package dev.flightcluster.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcluster.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RepeatedWarningFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final FakeClock clock = new FakeClock();
  private final RepeatedWarningFilter filter = new RepeatedWarningFilter(clock);
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void setUp() {
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
    events.setContext(context);
    events.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.DEBUG);
    logger = context.getLogger("dev.flightcluster.server.Registration");
  }

  @Test
  void aRecurringWarningIsAWarningOncePerWindowAndItsRepeatsAreDebug() {
    logger.warn("coordinator {} did not answer", "grpc://c1:8888");
    logger.warn("coordinator {} did not answer", "grpc://c2:8888");
    logger.warn("coordinator {} did not answer", "grpc://c1:8888");
    clock.advance(RepeatedWarningFilter.WINDOW.plus(Duration.ofSeconds(1)));
    logger.warn("coordinator {} did not answer", "grpc://c1:8888");

    assertThat(events.list)
        .extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.WARN, Level.DEBUG, Level.DEBUG, Level.WARN);
    assertThat(events.list.get(1).getFormattedMessage())
        .isEqualTo("(repeated) coordinator grpc://c2:8888 did not answer");
  }

  @Test
  void otherMessagesOtherLoggersAndErrorsAreNotHeldBack() {
    logger.warn("coordinator {} did not answer", "a");
    logger.warn("listing of {} failed", "a");
    context
        .getLogger("dev.flightcluster.coordinator.Membership")
        .warn("coordinator {} did not answer", "a");
    logger.error("disk {} full", "a");
    logger.error("disk {} full", "a");
    logger.info("stored {}", "a");
    logger.info("stored {}", "a");

    assertThat(events.list)
        .extracting(ILoggingEvent::getLevel)
        .containsExactly(
            Level.WARN, Level.WARN, Level.WARN, Level.ERROR, Level.ERROR, Level.INFO, Level.INFO);
  }

  @Test
  void repeatsAreDroppedWhenDebugIsOff() {
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    logger.warn("coordinator {} did not answer", "a");
    logger.warn("coordinator {} did not answer", "a");
    assertThat(events.list)
        .singleElement()
        .extracting(ILoggingEvent::getLevel)
        .isEqualTo(Level.WARN);
  }
}
