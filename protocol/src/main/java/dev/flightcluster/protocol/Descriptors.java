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
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT for a CMD descriptor,
   *     for a path with other than one element, or for an invalid name
   */
  public static DatasetName datasetName(FlightDescriptor descriptor) {
    requireNonNull(descriptor, "descriptor is null");
    if (descriptor.isCommand()) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "CMD descriptors are not supported: use a PATH descriptor with the dataset name,"
                  + " e.g. FlightDescriptor.path(\"sales.parquet\")")
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
