package dev.flightcluster.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.DatasetFingerprint;
import java.util.List;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class DatasetListingTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("name", ArrowType.Utf8.INSTANCE)));

  @Test
  void tableShowsReplicas() {
    FlightInfo replicated = info("sensor_readings.parquet", 1_000_000, 12_345_678, 8889, 8890);
    FlightInfo single = info("orders.parquet", 42, 1_024, 8890);
    assertThat(DatasetListing.table(List.of(replicated, single)))
        .isEqualTo(
            """
            dataset                       rows       bytes  replicas  locations
            sensor_readings.parquet  1,000,000  12,345,678         2  grpc://127.0.0.1:8889, grpc://127.0.0.1:8890
            orders.parquet                  42       1,024         1  grpc://127.0.0.1:8890
            """);
  }

  @Test
  void detailsIncludeFingerprintAndSchema() {
    String details = DatasetListing.details(info("orders.parquet", 42, 1_024, 8890));
    assertThat(details)
        .contains("dataset:     orders.parquet")
        .contains("rows:        42")
        .contains("fingerprint: " + "ab".repeat(32))
        .contains("locations: grpc://127.0.0.1:8890")
        .contains("  id: Int(64, true) not null")
        .contains("  name: Utf8\n");
    FlightInfo noMetadata = new FlightInfo(SCHEMA, FlightDescriptor.path("x"), List.of(), -1, -1);
    assertThat(DatasetListing.details(noMetadata))
        .contains("fingerprint: -")
        .contains("rows:        -");
  }

  private static FlightInfo info(String name, long rows, long bytes, int... ports) {
    Location[] locations = new Location[ports.length];
    for (int i = 0; i < ports.length; i++) {
      locations[i] = dev.flightcluster.protocol.Locations.parse("grpc://127.0.0.1:" + ports[i]);
    }
    return FlightInfo.builder(
            SCHEMA,
            FlightDescriptor.path(name),
            List.of(new FlightEndpoint(new Ticket(name.getBytes()), locations)))
        .setRecords(rows)
        .setBytes(bytes)
        .setAppMetadata(new DatasetFingerprint("ab".repeat(32)).toAppMetadata())
        .build();
  }
}
