package dev.flightcluster.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses positive data sizes, in bytes, written as a whole number and a unit: {@code 512MiB},
 * {@code 1GiB}, {@code 64KiB}, or decimal {@code 500MB}, {@code 2GB}; a bare number is bytes.
 */
public final class DataSizeConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,15})\\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?");

  @Override
  public Long convert(String value) {
    Matcher matcher = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a data size: use a number and a unit, e.g. 64MiB, 1GiB, 500MB");
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2) == null ? "b" : matcher.group(2);
    long factor =
        switch (unit) {
          case "b" -> 1L;
          case "kb" -> 1_000L;
          case "kib" -> 1L << 10;
          case "mb" -> 1_000_000L;
          case "mib" -> 1L << 20;
          case "gb" -> 1_000_000_000L;
          case "gib" -> 1L << 30;
          case "tb" -> 1_000_000_000_000L;
          case "tib" -> 1L << 40;
          default -> throw new IllegalStateException("unit not in the pattern: " + unit);
        };
    if (amount == 0) {
      throw new TypeConversionException("'" + value + "' is not a positive data size");
    }
    if (amount > Long.MAX_VALUE / factor) {
      throw new TypeConversionException("'" + value + "' is too large");
    }
    return amount * factor;
  }

  /** A data size as above, or {@code 0} (in any unit) for a setting that 0 turns off. */
  public static final class OrZero implements ITypeConverter<Long> {
    private static final Pattern ZERO = Pattern.compile("0+\\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?");

    @Override
    public Long convert(String value) {
      if (ZERO.matcher(value.strip().toLowerCase(Locale.ROOT)).matches()) {
        return 0L;
      }
      return new DataSizeConverter().convert(value);
    }
  }
}
