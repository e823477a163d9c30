package dev.flightcluster.cli;

import dev.flightcluster.protocol.Locations;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code grpc://host:port} (also {@code grpc+tcp://}, {@code grpc+tls://}) into a Flight
 * location.
 */
public final class LocationConverter implements ITypeConverter<Location> {
  @Override
  public Location convert(String value) {
    try {
      return Locations.parse(value.strip());
    } catch (FlightRuntimeException e) {
      throw new TypeConversionException(e.status().description());
    }
  }
}
