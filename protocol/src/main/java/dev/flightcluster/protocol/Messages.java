package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.arrow.flight.CallStatus;

/**
 * JSON encoding of action bodies and results. A body that does not decode is the caller's mistake
 * and fails with {@link CallStatus#INVALID_ARGUMENT}, naming the expected message.
 */
public final class Messages {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private Messages() {}

  /** Encodes a message as UTF-8 JSON. */
  public static byte[] encode(Object message) {
    requireNonNull(message, "message is null");
    try {
      return MAPPER.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decodes UTF-8 JSON into a message.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when the bytes are not
   *     a valid {@code type}
   */
  public static <T> T decode(byte[] body, Class<T> type) {
    requireNonNull(type, "type is null");
    if (body == null || body.length == 0) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("empty body: expected a JSON " + type.getSimpleName())
          .toRuntimeException();
    }
    try {
      T message = MAPPER.readValue(body, type);
      if (message == null) {
        throw new IOException("null");
      }
      return message;
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "malformed "
                  + type.getSimpleName()
                  + " body: "
                  + reason.lines().findFirst().orElse(""))
          .withCause(e)
          .toRuntimeException();
    }
  }
}
