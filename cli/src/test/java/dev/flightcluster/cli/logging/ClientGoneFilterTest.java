package dev.flightcluster.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClientGoneFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final ClientGoneFilter filter = new ClientGoneFilter();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger handler;

  @BeforeEach
  void setUp() {
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
    events.setContext(context);
    events.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
    handler = context.getLogger(ClientGoneFilter.GRPC_SERVER_HANDLER);
  }

  private static Http2Exception streamError(Http2Error error) {
    return Http2Exception.streamError(3, error, "Stream closed before write could take place");
  }

  @Test
  void aStreamClosedByTheClientIsNotAWarning() {
    handler.setLevel(Level.INFO);
    handler.warn("Stream Error", streamError(Http2Error.STREAM_CLOSED));
    assertThat(events.list).isEmpty();
  }

  @Test
  void itIsStillThereAtDebug() {
    handler.setLevel(Level.DEBUG);
    handler.warn("Stream Error", streamError(Http2Error.STREAM_CLOSED));
    assertThat(events.list)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getLevel()).isEqualTo(Level.DEBUG);
              assertThat(event.getThrowableProxy()).isNotNull();
            });
  }

  @Test
  void otherStreamErrorsAndOtherLoggersKeepTheirLevel() {
    handler.warn("Stream Error", streamError(Http2Error.PROTOCOL_ERROR));
    context
        .getLogger("io.grpc.netty.NettyClientHandler")
        .warn("x", streamError(Http2Error.STREAM_CLOSED));
    assertThat(events.list)
        .extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.WARN, Level.WARN);
  }
}
