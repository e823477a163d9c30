package dev.flightcluster.query;

import io.substrait.proto.Type;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.rel.type.RelDataType;

/**
 * Substrait types for a file's columns (the base schema the native scanner resolves field
 * references against) and for the SQL types of literals and calls.
 */
final class SubstraitTypes {
  private static final Type.Nullability NULLABLE = Type.Nullability.NULLABILITY_NULLABLE;

  private SubstraitTypes() {}

  /** The Substrait type of a file column; dictionary strings are strings. */
  static Type of(Field field) {
    if (field.getDictionary() != null) {
      return string();
    }
    ArrowType type = field.getType();
    return switch (type.getTypeID()) {
      case Int -> {
        ArrowType.Int i = (ArrowType.Int) type;
        yield switch (i.getBitWidth()) {
          case 8 -> Type.newBuilder().setI8(Type.I8.newBuilder().setNullability(NULLABLE)).build();
          case 16 ->
              Type.newBuilder().setI16(Type.I16.newBuilder().setNullability(NULLABLE)).build();
          case 32 ->
              Type.newBuilder().setI32(Type.I32.newBuilder().setNullability(NULLABLE)).build();
          default ->
              Type.newBuilder().setI64(Type.I64.newBuilder().setNullability(NULLABLE)).build();
        };
      }
      case FloatingPoint ->
          ((ArrowType.FloatingPoint) type).getPrecision()
                  == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE
              ? fp64()
              : Type.newBuilder().setFp32(Type.FP32.newBuilder().setNullability(NULLABLE)).build();
      case Decimal -> {
        ArrowType.Decimal d = (ArrowType.Decimal) type;
        yield decimal(d.getPrecision(), d.getScale());
      }
      case Utf8, LargeUtf8, Utf8View -> string();
      case Bool -> bool();
      case Date -> date();
      case Timestamp -> {
        ArrowType.Timestamp ts = (ArrowType.Timestamp) type;
        yield timestamp(precision(ts.getUnit()), ts.getTimezone() != null);
      }
      case Time ->
          Type.newBuilder().setTime(Type.Time.newBuilder().setNullability(NULLABLE)).build();
      case Binary, LargeBinary ->
          Type.newBuilder().setBinary(Type.Binary.newBuilder().setNullability(NULLABLE)).build();
      // A column the filter cannot name still needs a place in the base schema, so field indexes
      // line up with the file; its type is never looked at.
      default -> string();
    };
  }

  /** The Substrait type of a SQL type, for literals and call results. */
  static Type of(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case BOOLEAN -> bool();
      case TINYINT ->
          Type.newBuilder().setI8(Type.I8.newBuilder().setNullability(NULLABLE)).build();
      case SMALLINT ->
          Type.newBuilder().setI16(Type.I16.newBuilder().setNullability(NULLABLE)).build();
      case INTEGER ->
          Type.newBuilder().setI32(Type.I32.newBuilder().setNullability(NULLABLE)).build();
      case BIGINT ->
          Type.newBuilder().setI64(Type.I64.newBuilder().setNullability(NULLABLE)).build();
      case REAL, FLOAT ->
          Type.newBuilder().setFp32(Type.FP32.newBuilder().setNullability(NULLABLE)).build();
      case DOUBLE -> fp64();
      case DECIMAL -> decimal(type.getPrecision(), type.getScale());
      case CHAR, VARCHAR -> string();
      case DATE -> date();
      case TIME ->
          Type.newBuilder().setTime(Type.Time.newBuilder().setNullability(NULLABLE)).build();
      case TIMESTAMP -> timestamp(6, false);
      default -> throw new IllegalArgumentException("no Substrait type for " + type);
    };
  }

  static Type bool() {
    return Type.newBuilder().setBool(Type.Boolean.newBuilder().setNullability(NULLABLE)).build();
  }

  private static Type fp64() {
    return Type.newBuilder().setFp64(Type.FP64.newBuilder().setNullability(NULLABLE)).build();
  }

  private static Type string() {
    return Type.newBuilder().setString(Type.String.newBuilder().setNullability(NULLABLE)).build();
  }

  private static Type date() {
    return Type.newBuilder().setDate(Type.Date.newBuilder().setNullability(NULLABLE)).build();
  }

  private static Type decimal(int precision, int scale) {
    return Type.newBuilder()
        .setDecimal(
            Type.Decimal.newBuilder()
                .setPrecision(precision)
                .setScale(scale)
                .setNullability(NULLABLE))
        .build();
  }

  static Type timestamp(int precision, boolean tz) {
    if (precision == 6) {
      return tz
          ? Type.newBuilder()
              .setTimestampTz(Type.TimestampTZ.newBuilder().setNullability(NULLABLE))
              .build()
          : Type.newBuilder()
              .setTimestamp(Type.Timestamp.newBuilder().setNullability(NULLABLE))
              .build();
    }
    Type.Builder builder = Type.newBuilder();
    if (tz) {
      builder.setPrecisionTimestampTz(
          Type.PrecisionTimestampTZ.newBuilder().setPrecision(precision).setNullability(NULLABLE));
    } else {
      builder.setPrecisionTimestamp(
          Type.PrecisionTimestamp.newBuilder().setPrecision(precision).setNullability(NULLABLE));
    }
    return builder.build();
  }

  private static int precision(org.apache.arrow.vector.types.TimeUnit unit) {
    return switch (unit) {
      case SECOND -> 0;
      case MILLISECOND -> 3;
      case MICROSECOND -> 6;
      case NANOSECOND -> 9;
    };
  }
}
