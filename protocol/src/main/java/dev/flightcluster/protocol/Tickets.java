package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Ticket;

/**
 * The ticket format: the UTF-8 bytes of the dataset name, as in the original example. A ticket is
 * therefore valid at every server that holds a replica of the dataset, which is what lets a client
 * fail over between the locations of one endpoint.
 */
public final class Tickets {
  private Tickets() {}

  /** The ticket that streams a whole dataset. */
  public static Ticket of(DatasetName name) {
    requireNonNull(name, "name is null");
    return new Ticket(name.value().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The dataset a ticket names.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when the ticket is not
   *     UTF-8 or not a valid dataset name
   */
  public static DatasetName datasetName(Ticket ticket) {
    requireNonNull(ticket, "ticket is null");
    String value;
    try {
      value =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(ticket.getBytes()))
              .toString();
    } catch (CharacterCodingException e) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("ticket is not a UTF-8 dataset name")
          .toRuntimeException();
    }
    return DatasetName.of(value);
  }
}
