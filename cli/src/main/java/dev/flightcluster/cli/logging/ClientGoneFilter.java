package dev.flightcluster.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Marker;
import org.slf4j.helpers.BasicMarkerFactory;

/**
 * Moves gRPC's "Stream Error" warning to DEBUG when it only says that the client went away. When a
 * client cancels a stream (or disconnects) while the server still has data queued for it, Netty
 * fails the queued writes with a STREAM_CLOSED stream error, and gRPC's server handler logs that at
 * WARN with a stack trace, on every cancel. A cancel is normal; any other stream error keeps its
 * level. Declared in {@code logback.xml}.
 */
public final class ClientGoneFilter extends TurboFilter {
  /** The logger gRPC's Netty server handler logs stream errors under (through JUL). */
  public static final String GRPC_SERVER_HANDLER = "io.grpc.netty.NettyServerHandler";

  // Not SLF4J's MarkerFactory: logback loads this class while SLF4J is still initialising, when
  // MarkerFactory has no factory yet.
  private static final BasicMarkerFactory MARKERS = new BasicMarkerFactory();

  // A marker of our own, so the re-logged event passes this filter on its way out.
  private static final Marker DEMOTED = MARKERS.getMarker("flight-cluster-client-gone");

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (!isStarted()
        || marker == DEMOTED
        || level == null
        || !level.isGreaterOrEqual(Level.WARN)
        || !logger.getName().equals(GRPC_SERVER_HANDLER)
        || !clientGone(t)) {
      return FilterReply.NEUTRAL;
    }
    if (logger.isDebugEnabled()) {
      logger.debug(DEMOTED, format, t);
    }
    return FilterReply.DENY;
  }

  private static boolean clientGone(Throwable t) {
    return t instanceof Http2Exception.StreamException stream
        && stream.error() == Http2Error.STREAM_CLOSED;
  }
}
