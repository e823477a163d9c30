package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Ticket;

/**
 * The ticket format. A ticket is either a {@link DatasetTicket} as UTF-8 JSON (it starts with
 * {@code '{'}, which no dataset name does), or, as in the original example, the UTF-8 bytes of a
 * dataset name, which asks for the whole dataset. A ticket names no server, so it is valid at every
 * location of its endpoint, which is what lets a client fail over and resume there.
 */
public final class Tickets {
  /** Longest ticket accepted, in bytes: far more than an endpoint's list of files needs. */
  public static final int MAX_BYTES = 4 << 20;

  private Tickets() {}

  /** The ticket that streams a whole dataset: its name's bytes, as the original example's. */
  public static Ticket of(DatasetName name) {
    requireNonNull(name, "name is null");
    return new Ticket(name.value().getBytes(StandardCharsets.UTF_8));
  }

  /** The ticket for {@code request}; a whole-dataset request keeps the original form. */
  public static Ticket of(DatasetTicket request) {
    requireNonNull(request, "request is null");
    if (request.files().isEmpty() && request.resume() == null && request.pushdown().isNone()) {
      return of(request.dataset());
    }
    return new Ticket(Messages.encode(request));
  }

  /**
   * Reads a ticket.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when the ticket is too
   *     large, not UTF-8, malformed JSON, or names an invalid dataset or file path
   */
  public static DatasetTicket decode(Ticket ticket) {
    requireNonNull(ticket, "ticket is null");
    byte[] bytes = ticket.getBytes();
    if (bytes.length > MAX_BYTES) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("ticket of " + bytes.length + " bytes; at most " + MAX_BYTES)
          .toRuntimeException();
    }
    if (bytes.length > 0 && bytes[0] == '{') {
      return Messages.decode(bytes, DatasetTicket.class);
    }
    return DatasetTicket.whole(DatasetName.of(utf8(bytes)));
  }

  /**
   * The dataset a ticket names.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT as {@link #decode}
   */
  public static DatasetName datasetName(Ticket ticket) {
    return decode(ticket).dataset();
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("ticket is neither JSON nor a UTF-8 dataset name")
          .toRuntimeException();
    }
  }
}
