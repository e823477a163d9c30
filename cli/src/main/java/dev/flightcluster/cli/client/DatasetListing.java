package dev.flightcluster.cli.client;

import dev.flightcluster.protocol.DatasetFingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.types.pojo.Field;

/** Text renderings of FlightInfos, for {@code list} and {@code info}. */
public final class DatasetListing {
  private DatasetListing() {}

  /** The dataset a FlightInfo describes: its one-element PATH descriptor. */
  public static String name(FlightInfo info) {
    var descriptor = info.getDescriptor();
    if (descriptor != null && !descriptor.isCommand() && !descriptor.getPath().isEmpty()) {
      return String.join("/", descriptor.getPath());
    }
    return String.valueOf(descriptor);
  }

  /** Every location of every endpoint, in order, without repeats. */
  public static List<String> locations(FlightInfo info) {
    return info.getEndpoints().stream()
        .map(FlightEndpoint::getLocations)
        .flatMap(List::stream)
        .map(Location::getUri)
        .map(Object::toString)
        .distinct()
        .toList();
  }

  /** A table: dataset, rows, bytes, replicas, locations. */
  public static String table(List<FlightInfo> infos) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"dataset", "rows", "bytes", "replicas", "locations"});
    for (FlightInfo info : infos) {
      List<String> locations = locations(info);
      rows.add(
          new String[] {
            name(info),
            count(info.getRecords()),
            count(info.getBytes()),
            Integer.toString(locations.size()),
            String.join(", ", locations)
          });
    }
    int[] widths = new int[4];
    for (String[] row : rows) {
      for (int i = 0; i < 4; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      out.append(row[0]).append(" ".repeat(widths[0] - row[0].length()));
      for (int i = 1; i < 4; i++) {
        out.append("  ").append(" ".repeat(widths[i] - row[i].length())).append(row[i]);
      }
      out.append("  ").append(row[4]).append('\n');
    }
    return out.toString();
  }

  /** Everything known about one dataset, one fact per line. */
  public static String details(FlightInfo info) {
    StringBuilder out = new StringBuilder();
    out.append("dataset:     ").append(name(info)).append('\n');
    out.append("rows:        ").append(count(info.getRecords())).append('\n');
    out.append("bytes:       ").append(count(info.getBytes())).append(" (Arrow, estimated)\n");
    out.append("fingerprint: ").append(fingerprint(info.getAppMetadata())).append('\n');
    out.append("endpoints:   ").append(info.getEndpoints().size()).append('\n');
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      out.append("  ")
          .append(
              endpoint.getLocations().stream()
                  .map(location -> location.getUri().toString())
                  .collect(Collectors.joining(", ", "locations: ", "")))
          .append('\n');
    }
    out.append("schema:\n");
    for (Field field :
        info.getSchemaOptional().map(schema -> schema.getFields()).orElse(List.of())) {
      out.append("  ")
          .append(field.getName())
          .append(": ")
          .append(field.getType())
          .append(field.isNullable() ? "" : " not null")
          .append('\n');
    }
    return out.toString();
  }

  private static String fingerprint(byte[] appMetadata) {
    try {
      return DatasetFingerprint.fromAppMetadata(appMetadata).value();
    } catch (FlightRuntimeException | IllegalArgumentException e) {
      return "-";
    }
  }

  static String count(long value) {
    return value < 0 ? "-" : String.format(Locale.ROOT, "%,d", value);
  }
}
