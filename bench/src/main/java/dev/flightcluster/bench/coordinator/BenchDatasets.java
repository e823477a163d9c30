package dev.flightcluster.bench.coordinator;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Tickets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The simulated datasets: {@code count} Parquet-like datasets with a realistic five-column schema,
 * spread over {@code servers} data servers so that every other dataset has a replica.
 *
 * <p>Dataset {@code i} lives on server {@code i % servers}; when there is more than one server and
 * {@code i} is even, also on server {@code (i + 1) % servers}. The fingerprint depends on the name
 * only, so both copies agree and the coordinator merges them as replicas (no conflicts).
 */
final class BenchDatasets {
  /** A taxi-trip table: what a typical dataset of the cluster looks like. */
  static final Schema SCHEMA =
      new Schema(
          List.of(
              new Field("trip_id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
              Field.nullable("pickup_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
              Field.nullable("city", ArrowType.Utf8.INSTANCE),
              Field.nullable("fare", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("passengers", new ArrowType.Int(32, true))));

  private final int count;
  private final int servers;
  private final List<DatasetName> names;
  private final List<FlightDescriptor> descriptors;
  private final List<DatasetFingerprint> fingerprints;

  BenchDatasets(int count, int servers) {
    if (count < 1 || servers < 1) {
      throw new IllegalArgumentException("need at least one dataset and one server");
    }
    this.count = count;
    this.servers = servers;
    this.names = new ArrayList<>(count);
    this.descriptors = new ArrayList<>(count);
    this.fingerprints = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      DatasetName name = DatasetName.of(String.format("trips_%05d.parquet", i));
      names.add(name);
      descriptors.add(Descriptors.of(name));
      byte[] footerDigest =
          DatasetFingerprint.sha256().digest(name.value().getBytes(StandardCharsets.UTF_8));
      fingerprints.add(DatasetFingerprint.compute(SCHEMA, records(i), bytes(i), footerDigest));
    }
  }

  int count() {
    return count;
  }

  /** The descriptor a client asks GetFlightInfo with, for dataset {@code i}. */
  FlightDescriptor descriptor(int i) {
    return descriptors.get(i);
  }

  String name(int i) {
    return names.get(i).value();
  }

  /**
   * How many servers hold dataset {@code i}: 1, or 2 for every other one when there are several.
   */
  int holders(int i) {
    return servers > 1 && i % 2 == 0 ? 2 : 1;
  }

  /** How many datasets have two holders. */
  int replicated() {
    int replicated = 0;
    for (int i = 0; i < count; i++) {
      replicated += holders(i) - 1;
    }
    return replicated;
  }

  /** The FlightInfos server {@code server} lists, with its own location as the endpoint. */
  List<FlightInfo> listingOf(int server, Location location) {
    List<FlightInfo> infos = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean primary = i % servers == server;
      boolean replica = holders(i) == 2 && (i + 1) % servers == server;
      if (primary || replica) {
        infos.add(
            FlightInfo.builder(
                    SCHEMA,
                    descriptors.get(i),
                    List.of(new FlightEndpoint(Tickets.of(names.get(i)), location)))
                .setRecords(records(i))
                .setBytes(bytes(i))
                .setAppMetadata(fingerprints.get(i).toAppMetadata())
                .build());
      }
    }
    return infos;
  }

  private static long records(int i) {
    return 100_000L + 7L * i;
  }

  private static long bytes(int i) {
    return records(i) * 38L;
  }
}
