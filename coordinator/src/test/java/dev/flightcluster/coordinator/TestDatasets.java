package dev.flightcluster.coordinator;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Tickets;
import java.util.List;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** FlightInfos as a data server lists them, with hand-picked fingerprints. */
final class TestDatasets {
  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("city", ArrowType.Utf8.INSTANCE)));

  private TestDatasets() {}

  /** A valid listing entry: 10 rows, 1000 bytes, at {@code location}. */
  static FlightInfo info(String name, String fingerprint, Location location) {
    DatasetName dataset = DatasetName.of(name);
    return FlightInfo.builder(
            SCHEMA,
            Descriptors.of(dataset),
            List.of(new FlightEndpoint(Tickets.of(dataset), location)))
        .setRecords(10)
        .setBytes(1000)
        .setAppMetadata(new DatasetFingerprint(fingerprint).toAppMetadata())
        .build();
  }
}
