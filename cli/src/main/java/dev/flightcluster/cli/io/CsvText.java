package dev.flightcluster.cli.io;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Base64;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The text of one non-null Arrow value in CSV output, in the forms CSV readers parse back: ISO-8601
 * dates, times and timestamps (with the offset of the column's zone when it has one), unsigned
 * integers as unsigned, decimals without exponent, floats in Java's shortest exact form, binary as
 * Base64. The same text appears inside nested values' JSON.
 */
final class CsvText {
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private static final DateTimeFormatter[] LOCAL_TIMESTAMP = new DateTimeFormatter[4];
  private static final DateTimeFormatter[] ZONED_TIMESTAMP = new DateTimeFormatter[4];
  private static final DateTimeFormatter[] TIME = new DateTimeFormatter[4];

  static {
    for (TimeUnit unit : TimeUnit.values()) {
      LOCAL_TIMESTAMP[unit.ordinal()] =
          withFraction(
                  new DateTimeFormatterBuilder()
                      .append(DateTimeFormatter.ISO_LOCAL_DATE)
                      .appendLiteral('T'),
                  unit)
              .toFormatter();
      ZONED_TIMESTAMP[unit.ordinal()] =
          withFraction(
                  new DateTimeFormatterBuilder()
                      .append(DateTimeFormatter.ISO_LOCAL_DATE)
                      .appendLiteral('T'),
                  unit)
              .appendOffset("+HH:MM:ss", "Z")
              .toFormatter();
      TIME[unit.ordinal()] = withFraction(new DateTimeFormatterBuilder(), unit).toFormatter();
    }
  }

  private CsvText() {}

  /**
   * {@code HH:mm:ss} and as many fraction digits as the unit has, so every value shows its unit.
   */
  private static DateTimeFormatterBuilder withFraction(
      DateTimeFormatterBuilder builder, TimeUnit unit) {
    builder
        .appendValue(ChronoField.HOUR_OF_DAY, 2)
        .appendLiteral(':')
        .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
        .appendLiteral(':')
        .appendValue(ChronoField.SECOND_OF_MINUTE, 2);
    int digits = fractionDigits(unit);
    if (digits > 0) {
      builder.appendFraction(ChronoField.NANO_OF_SECOND, digits, digits, true);
    }
    return builder;
  }

  private static int fractionDigits(TimeUnit unit) {
    return switch (unit) {
      case SECOND -> 0;
      case MILLISECOND -> 3;
      case MICROSECOND -> 6;
      case NANOSECOND -> 9;
    };
  }

  /**
   * The text of the value at {@code row}, which must not be null, of a vector that is neither a
   * string, a binary nor a nested vector.
   */
  static String scalar(FieldVector vector, int row) {
    ArrowType type = vector.getField().getType();
    return switch (vector) {
      case BitVector bits -> bits.get(row) != 0 ? "true" : "false";
      case UInt1Vector u -> Integer.toString(Byte.toUnsignedInt(u.get(row)));
      case UInt2Vector u -> Integer.toString(u.get(row));
      case UInt4Vector u -> Integer.toUnsignedString(u.get(row));
      case UInt8Vector u -> Long.toUnsignedString(u.get(row));
      case Float2Vector f -> Float.toString(f.getValueAsFloat(row));
      case Float4Vector f -> Float.toString(f.get(row));
      case Float8Vector f -> Double.toString(f.get(row));
      case DateDayVector dates -> LocalDate.ofEpochDay(dates.get(row)).toString();
      case DateMilliVector dates ->
          LocalDate.ofEpochDay(Math.floorDiv(dates.get(row), MILLIS_PER_DAY)).toString();
      case TimeSecVector times -> time(times.get(row) * 1_000_000_000L, TimeUnit.SECOND);
      case TimeMilliVector times -> time(times.get(row) * 1_000_000L, TimeUnit.MILLISECOND);
      case TimeMicroVector times -> time(times.get(row) * 1_000L, TimeUnit.MICROSECOND);
      case TimeNanoVector times -> time(times.get(row), TimeUnit.NANOSECOND);
      case TimeStampVector stamps when type instanceof ArrowType.Timestamp timestamp ->
          timestamp(stamps.get(row), timestamp);
      default -> other(vector.getObject(row));
    };
  }

  private static String other(Object value) {
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof byte[] bytes) {
      return base64(bytes);
    }
    return String.valueOf(value);
  }

  /** Binary values: Base64, the one text form every reader can turn back into bytes. */
  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String time(long nanoOfDay, TimeUnit unit) {
    return TIME[unit.ordinal()].format(LocalTime.ofNanoOfDay(nanoOfDay));
  }

  /**
   * A timestamp without a zone as ISO-8601 local date-time ({@code 2024-01-31T09:30:00.000000});
   * with one as the local time in that zone plus its offset ({@code
   * 2024-01-31T04:30:00.000000-05:00}, {@code Z} for UTC), so it names the same instant and reads
   * naturally.
   */
  static String timestamp(long value, ArrowType.Timestamp type) {
    Instant instant = instant(value, type.getUnit());
    int unit = type.getUnit().ordinal();
    if (type.getTimezone() == null) {
      return LOCAL_TIMESTAMP[unit].format(instant.atOffset(ZoneOffset.UTC).toLocalDateTime());
    }
    return ZONED_TIMESTAMP[unit].format(instant.atZone(zone(type.getTimezone())));
  }

  private static ZoneId zone(String timezone) {
    try {
      return ZoneId.of(timezone);
    } catch (DateTimeException e) {
      // A zone Java does not know still names an instant; UTC writes that instant exactly.
      return ZoneOffset.UTC;
    }
  }

  private static Instant instant(long value, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> Instant.ofEpochSecond(value);
      case MILLISECOND -> Instant.ofEpochMilli(value);
      case MICROSECOND ->
          Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
      case NANOSECOND ->
          Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
    };
  }
}
