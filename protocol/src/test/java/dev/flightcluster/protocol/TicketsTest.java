package dev.flightcluster.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Ticket;
import org.junit.jupiter.api.Test;

class TicketsTest {
  private static final DatasetName TRIPS = DatasetName.of("trips");

  @Test
  void aWholeDatasetTicketIsTheOriginalNameBytes() {
    Ticket ticket = Tickets.of(DatasetTicket.whole(TRIPS));
    assertThat(ticket.getBytes()).isEqualTo("trips".getBytes(StandardCharsets.UTF_8));
    assertThat(Tickets.decode(ticket)).isEqualTo(DatasetTicket.whole(TRIPS));
  }

  @Test
  void filesAndResumePositionRoundTrip() {
    DatasetTicket request =
        new DatasetTicket(TRIPS, List.of("year=2024/a.parquet", "b.parquet"), null)
            .resumeAt(new ResumePosition("b.parquet", 1_000));
    Ticket ticket = Tickets.of(request);
    assertThat(ticket.getBytes()[0]).isEqualTo((byte) '{');
    assertThat(Tickets.decode(ticket)).isEqualTo(request);
  }

  @Test
  void aTicketWithoutPushdownLeavesTheFieldOut() {
    Ticket ticket = Tickets.of(new DatasetTicket(TRIPS, List.of("a.parquet"), null));
    assertThat(new String(ticket.getBytes(), StandardCharsets.UTF_8)).doesNotContain("pushdown");
  }

  @Test
  void pushdownRoundTripsInTicketsAndCommands() {
    Pushdown pushdown = new Pushdown(List.of("fare", "city"), "fare > 10", 5L);
    DatasetTicket request = DatasetTicket.whole(TRIPS).withPushdown(pushdown);
    assertThat(Tickets.decode(Tickets.of(request))).isEqualTo(request);

    QueryCommand command = QueryCommand.of(TRIPS, pushdown);
    byte[] body = command.toDescriptor().getCommand();
    assertThat(QueryCommand.isQueryCommand(body)).isTrue();
    assertThat(QueryCommand.decode(body)).isEqualTo(command);
    assertThat(
            QueryCommand.decode("{\"dataset\": \"trips\"}".getBytes(StandardCharsets.UTF_8))
                .pushdown())
        .isEqualTo(Pushdown.NONE);
    assertStatus(
        () -> QueryCommand.decode("{\"columns\": [\"a\"]}".getBytes(StandardCharsets.UTF_8)));
    assertStatus(() -> new Pushdown(List.of("a", "a"), null, null));
    assertStatus(() -> new Pushdown(List.of(), null, -1L));
  }

  @Test
  void resumeTokensRoundTripThroughAppMetadata() {
    ResumeToken token = new ResumeToken(TRIPS, new ResumePosition("a.parquet", 42));
    assertThat(ResumeToken.fromAppMetadata(token.toAppMetadata())).isEqualTo(token);
  }

  @Test
  void aTokenResumesOnlyItsOwnDataset() {
    ResumeToken token = new ResumeToken(TRIPS, new ResumePosition("a.parquet", 42));
    assertThat(DatasetTicket.whole(TRIPS).resumeAt(token).resume())
        .isEqualTo(new ResumePosition("a.parquet", 42, TRIPS));
    assertStatus(() -> DatasetTicket.whole(DatasetName.of("sales")).resumeAt(token));
  }

  @Test
  void aServerRefusesAPositionTakenFromAnotherDatasetsStream() {
    Ticket resumed =
        Tickets.of(
            DatasetTicket.whole(TRIPS)
                .resumeAt(new ResumeToken(TRIPS, new ResumePosition("part-0.parquet", 5))));
    assertThat(Tickets.decode(resumed).resume().dataset()).isEqualTo(TRIPS);
    // The same position in a ticket of another dataset that also has a part-0.parquet.
    String forged =
        new String(resumed.getBytes(), StandardCharsets.UTF_8)
            .replace("\"dataset\":\"trips\",\"files\"", "\"dataset\":\"sales\",\"files\"");
    assertThat(forged).contains("\"sales\"");
    assertStatus(() -> Tickets.decode(new Ticket(forged.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void pathsThatLeaveTheDatasetAreRefused() {
    for (String path :
        List.of("../secret.parquet", "/etc/passwd", "a//b", "a/./b", "a\\b", "a\u0000b", "")) {
      String json =
          "{\"dataset\":\"trips\",\"files\":[\""
              + path.replace("\\", "\\\\").replace("\u0000", "\\u0000")
              + "\"]}";
      assertStatus(() -> Tickets.decode(new Ticket(json.getBytes(StandardCharsets.UTF_8))));
    }
  }

  @Test
  void malformedTicketsAreTheCallersMistake() {
    assertStatus(() -> Tickets.decode(new Ticket("{not json".getBytes(StandardCharsets.UTF_8))));
    assertStatus(() -> Tickets.decode(new Ticket(new byte[] {(byte) 0xff, (byte) 0xfe})));
    assertStatus(
        () -> Tickets.decode(new Ticket("{\"files\":[]}".getBytes(StandardCharsets.UTF_8))));
    assertStatus(
        () ->
            Tickets.decode(
                new Ticket(
                    "{\"dataset\":\"trips\",\"files\":[\"a.parquet\"],\"resume\":{\"file\":\"b.parquet\",\"row\":1}}"
                        .getBytes(StandardCharsets.UTF_8))));
    assertStatus(
        () ->
            Tickets.decode(
                new Ticket(
                    "{\"dataset\":\"trips\",\"resume\":{\"file\":\"b.parquet\",\"row\":-1}}"
                        .getBytes(StandardCharsets.UTF_8))));
    assertStatus(() -> ResumeToken.fromAppMetadata("garbage".getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertStatus(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
  }
}
