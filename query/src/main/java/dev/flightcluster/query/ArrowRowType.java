package dev.flightcluster.query;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The SQL types of a dataset's columns, so Calcite can validate a filter against them.
 *
 * <p>Time zones are not part of the SQL type: a tz-aware timestamp column is a TIMESTAMP and a
 * {@code TIMESTAMP '..'} literal compared with it is read as UTC (the Substrait form carries the
 * instant). Dictionary-encoded columns are strings: that is what Parquet's dictionary columns are.
 * Columns of types no filter can use (lists, structs, binary) are left out, so naming one is an
 * unknown column.
 */
final class ArrowRowType {
  private ArrowRowType() {}

  /** Decimal128 holds 38 digits and Arrow timestamps nanoseconds; Calcite's defaults are less. */
  static final RelDataTypeSystem TYPE_SYSTEM =
      new RelDataTypeSystemImpl() {
        @Override
        public int getMaxPrecision(SqlTypeName typeName) {
          return switch (typeName) {
            case DECIMAL -> 38;
            case TIMESTAMP, TIME, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> 9;
            default -> super.getMaxPrecision(typeName);
          };
        }

        @Override
        public int getMaxScale(SqlTypeName typeName) {
          return typeName == SqlTypeName.DECIMAL ? 38 : super.getMaxScale(typeName);
        }
      };

  /** One column a filter may name: its position in the schema and its SQL type. */
  record Column(String name, int index, RelDataType type) {}

  static List<Column> columns(Schema schema, RelDataTypeFactory types) {
    List<Column> columns = new ArrayList<>();
    List<Field> fields = schema.getFields();
    for (int i = 0; i < fields.size(); i++) {
      Field field = fields.get(i);
      SqlTypeName name = sqlType(field);
      if (name == null) {
        continue;
      }
      RelDataType type =
          switch (name) {
            case DECIMAL -> {
              ArrowType.Decimal decimal = (ArrowType.Decimal) field.getType();
              yield types.createSqlType(name, decimal.getPrecision(), decimal.getScale());
            }
            case TIMESTAMP, TIME -> types.createSqlType(name, precision(field.getType()));
            case VARCHAR -> types.createSqlType(name, RelDataType.PRECISION_NOT_SPECIFIED);
            default -> types.createSqlType(name);
          };
      columns.add(new Column(field.getName(), i, types.createTypeWithNullability(type, true)));
    }
    return columns;
  }

  /** The SQL type of {@code field}, or null when filters cannot use the column. */
  static SqlTypeName sqlType(Field field) {
    if (field.getDictionary() != null) {
      // In memory a dictionary field carries its index type; the values are strings.
      return field.getType() instanceof ArrowType.Int || isString(field.getType())
          ? SqlTypeName.VARCHAR
          : null;
    }
    ArrowType type = field.getType();
    return switch (type.getTypeID()) {
      case Int -> {
        ArrowType.Int i = (ArrowType.Int) type;
        yield switch (i.getBitWidth()) {
          case 8 -> i.getIsSigned() ? SqlTypeName.TINYINT : SqlTypeName.SMALLINT;
          case 16 -> i.getIsSigned() ? SqlTypeName.SMALLINT : SqlTypeName.INTEGER;
          case 32 -> i.getIsSigned() ? SqlTypeName.INTEGER : SqlTypeName.BIGINT;
          default -> i.getIsSigned() ? SqlTypeName.BIGINT : null;
        };
      }
      case FloatingPoint ->
          switch (((ArrowType.FloatingPoint) type).getPrecision()) {
            case HALF, SINGLE -> SqlTypeName.REAL;
            case DOUBLE -> SqlTypeName.DOUBLE;
          };
      case Decimal -> ((ArrowType.Decimal) type).getBitWidth() == 128 ? SqlTypeName.DECIMAL : null;
      case Utf8, LargeUtf8, Utf8View -> SqlTypeName.VARCHAR;
      case Bool -> SqlTypeName.BOOLEAN;
      case Date -> SqlTypeName.DATE;
      case Timestamp -> SqlTypeName.TIMESTAMP;
      case Time -> SqlTypeName.TIME;
      default -> null;
    };
  }

  private static boolean isString(ArrowType type) {
    return type instanceof ArrowType.Utf8
        || type instanceof ArrowType.LargeUtf8
        || type instanceof ArrowType.Utf8View;
  }

  private static int precision(ArrowType type) {
    org.apache.arrow.vector.types.TimeUnit unit =
        type instanceof ArrowType.Timestamp ts ? ts.getUnit() : ((ArrowType.Time) type).getUnit();
    return switch (unit) {
      case SECOND -> 0;
      case MILLISECOND -> 3;
      case MICROSECOND -> 6;
      case NANOSECOND -> 9;
    };
  }
}
