package dev.flightcluster.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class WireFormatTest {
  @Test
  void actionBodiesRoundTripAsSnakeCaseJson() {
    Hello hello = new Hello("server-1", "grpc://10.0.0.7:8889", 3);
    byte[] json = Messages.encode(hello);
    assertThat(new String(json, StandardCharsets.UTF_8))
        .contains("\"server_id\":\"server-1\"", "\"listing_version\":3");
    assertThat(Messages.decode(json, Hello.class)).isEqualTo(hello);
  }

  @Test
  void malformedOrIncompleteBodiesAreInvalidArgument() {
    for (String body : List.of("", "not json", "{}", "{\"location\":\"grpc://h:1\"}", "null")) {
      assertThatThrownBy(() -> Messages.decode(body.getBytes(StandardCharsets.UTF_8), Hello.class))
          .as(body)
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
                assertThat(e.status().description()).contains("Hello");
              });
    }
  }

  @Test
  void ticketIsTheUtf8DatasetName() {
    DatasetName name = DatasetName.of("données.parquet");
    assertThat(Tickets.datasetName(Tickets.of(name))).isEqualTo(name);
    assertThat(new String(Tickets.of(name).getBytes(), StandardCharsets.UTF_8))
        .isEqualTo("données.parquet");
  }

  @Test
  void ticketsThatAreNotUtf8OrEscapeTheDataDirAreInvalidArgument() {
    for (byte[] ticket :
        List.of(
            new byte[] {(byte) 0xff, (byte) 0xfe},
            "../x".getBytes(StandardCharsets.UTF_8),
            "/etc/passwd".getBytes(StandardCharsets.UTF_8))) {
      assertThatThrownBy(() -> Tickets.datasetName(new Ticket(ticket)))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    }
  }

  @Test
  void descriptorMustBeAOnePartPathAndCommandsAreNotServed() {
    assertThat(Descriptors.datasetName(FlightDescriptor.path("a.parquet")).value())
        .isEqualTo("a.parquet");
    assertThatThrownBy(
            () ->
                Descriptors.datasetName(
                    FlightDescriptor.command("SELECT 1".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED);
              assertThat(e.status().description())
                  .contains("CMD descriptors")
                  .contains("PATH descriptors");
            });
    assertInvalid(FlightDescriptor.path("dir", "a.parquet"), "got 2 elements");
    assertInvalid(FlightDescriptor.path(), "got 0 elements");
  }

  @Test
  void fingerprintDependsOnEveryInput() {
    Schema schema = new Schema(List.of(Field.nullable("x", new ArrowType.Int(64, true))));
    Schema other = new Schema(List.of(Field.nullable("y", new ArrowType.Int(64, true))));
    byte[] footer = {1, 2, 3};
    DatasetFingerprint base = DatasetFingerprint.compute(schema, 10, 100, footer);
    assertThat(DatasetFingerprint.compute(schema, 10, 100, footer.clone())).isEqualTo(base);
    assertThat(DatasetFingerprint.compute(other, 10, 100, footer)).isNotEqualTo(base);
    assertThat(DatasetFingerprint.compute(schema, 11, 100, footer)).isNotEqualTo(base);
    assertThat(DatasetFingerprint.compute(schema, 10, 101, footer)).isNotEqualTo(base);
    assertThat(DatasetFingerprint.compute(schema, 10, 100, new byte[] {1, 2, 4}))
        .isNotEqualTo(base);
    assertThat(DatasetFingerprint.fromAppMetadata(base.toAppMetadata())).isEqualTo(base);
  }

  @Test
  void locationsMustBeGrpcWithHostAndPort() {
    assertThat(Locations.parse("grpc://10.0.0.7:8889").getUri().getPort()).isEqualTo(8889);
    assertThat(Locations.parse("grpc+tls://flight.example:443").getUri().getScheme())
        .isEqualTo("grpc+tls");
    for (String bad : List.of("http://h:1", "grpc://h", "nonsense", "grpc://:1")) {
      assertThatThrownBy(() -> Locations.parse(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    }
  }

  private static void assertInvalid(FlightDescriptor descriptor, String message) {
    assertThatThrownBy(() -> Descriptors.datasetName(descriptor))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.status().description()).contains(message);
            });
  }
}
