package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;

/** Maps Flight descriptors to dataset names and back. */
public final class Descriptors {
  private Descriptors() {}

  /** The PATH descriptor of a dataset: one path element holding the whole name. */
  public static FlightDescriptor of(DatasetName name) {
    requireNonNull(name, "name is null");
    return FlightDescriptor.path(name.value());
  }

  /**
   * The dataset a descriptor names.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException UNIMPLEMENTED for a CMD descriptor (a
   *     coordinator dispatches query commands and Flight SQL before it calls this): the caller
   *     asked for something that does not exist here rather than for something malformed (ADBC and
   *     Flight SQL clients tell the two apart); INVALID_ARGUMENT for a path with other than one
   *     element, or for an invalid name
   */
  public static DatasetName datasetName(FlightDescriptor descriptor) {
    requireNonNull(descriptor, "descriptor is null");
    if (descriptor.isCommand()) {
      throw CallStatus.UNIMPLEMENTED
          .withDescription(
              "CMD descriptors are served only by coordinators, as a JSON query command"
                  + " ({\"dataset\": NAME, \"columns\": [..], \"filter\": SQL, \"limit\": N}) or a"
                  + " Flight SQL command, and this one is neither; PATH descriptors name one dataset,"
                  + " e.g. FlightDescriptor.path(\"sales.parquet\"); ListFlights lists them")
          .toRuntimeException();
    }
    var path = descriptor.getPath();
    if (path.size() != 1) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "a PATH descriptor names one dataset in a single element such as \"dir/sales.parquet\";"
                  + " got "
                  + path.size()
                  + " elements "
                  + path)
          .toRuntimeException();
    }
    return DatasetName.of(path.get(0));
  }
}
