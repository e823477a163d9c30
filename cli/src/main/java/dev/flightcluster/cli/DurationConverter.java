package dev.flightcluster.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses positive durations written as a whole number and a unit: {@code 500ms}, {@code 2s}, {@code
 * 10s}, {@code 5m}, {@code 1h}. ISO-8601 ({@code PT10S}) is accepted too, for values copied from
 * elsewhere.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    Duration duration = parse(value);
    if (duration.isZero() || duration.isNegative()) {
      throw new TypeConversionException("'" + value + "' is not a positive duration");
    }
    return duration;
  }

  private static Duration parse(String value) {
    String text = value.strip().toLowerCase(Locale.ROOT);
    Matcher matcher = SIMPLE.matcher(text);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> throw new IllegalStateException("unit not in the pattern: " + matcher.group(2));
      };
    }
    if (text.startsWith("pt") || text.startsWith("p")) {
      try {
        return Duration.parse(text.toUpperCase(Locale.ROOT));
      } catch (RuntimeException ignored) {
        // fall through to the message below, which says what is expected
      }
    }
    throw new TypeConversionException(
        "'" + value + "' is not a duration: use a number and a unit, e.g. 500ms, 2s, 10s, 5m, 1h");
  }

  /** Formats a duration the way this converter reads it, for messages and defaults. */
  public static String format(Duration duration) {
    if (duration.toMillisPart() != 0 || duration.isZero()) {
      return duration.toMillis() + "ms";
    }
    if (duration.toSecondsPart() != 0) {
      return duration.toSeconds() + "s";
    }
    if (duration.toMinutesPart() != 0) {
      return duration.toMinutes() + "m";
    }
    return duration.toHours() + "h";
  }
}
