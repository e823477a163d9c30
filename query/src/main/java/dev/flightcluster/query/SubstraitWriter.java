package dev.flightcluster.query;

import com.google.protobuf.ByteString;
import io.substrait.proto.Expression;
import io.substrait.proto.ExpressionReference;
import io.substrait.proto.ExtendedExpression;
import io.substrait.proto.FunctionArgument;
import io.substrait.proto.NamedStruct;
import io.substrait.proto.SimpleExtensionDeclaration;
import io.substrait.proto.SimpleExtensionURI;
import io.substrait.proto.Type;
import io.substrait.proto.Version;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.TimeString;
import org.apache.calcite.util.TimestampString;

/**
 * Writes a row expression (over a file's field indexes, with every operator already one the native
 * scan has) as a Substrait {@code ExtendedExpression} that Arrow C++ 18's Substrait consumer reads.
 *
 * <p>Functions are declared under the extension URIs Arrow registers them by (the substrait-io
 * GitHub URLs of {@code functions_comparison.yaml}, {@code functions_boolean.yaml} and {@code
 * functions_arithmetic.yaml}), with the plain names Arrow maps: {@code equal}, {@code not_equal},
 * {@code lt}, {@code lte}, {@code gt}, {@code gte}, {@code is_null}, {@code is_not_null}, {@code
 * and}, {@code or}, {@code not}, {@code add}, {@code subtract}, {@code multiply}, {@code divide}.
 */
final class SubstraitWriter {
  private static final String EXTENSIONS =
      "https://github.com/substrait-io/substrait/blob/main/extensions/";
  private static final String COMPARISON = EXTENSIONS + "functions_comparison.yaml";
  private static final String BOOLEAN = EXTENSIONS + "functions_boolean.yaml";
  private static final String ARITHMETIC = EXTENSIONS + "functions_arithmetic.yaml";

  private final Schema fileSchema;
  private final Map<String, Integer> uris = new LinkedHashMap<>();
  private final Map<String, Integer> functions = new LinkedHashMap<>();
  private final ExtendedExpression.Builder out = ExtendedExpression.newBuilder();

  private SubstraitWriter(Schema fileSchema) {
    this.fileSchema = fileSchema;
  }

  /** The serialized {@code ExtendedExpression} of {@code condition} over {@code fileSchema}. */
  static byte[] write(RexNode condition, Schema fileSchema) {
    SubstraitWriter writer = new SubstraitWriter(fileSchema);
    Expression expression = writer.expression(condition, false);
    NamedStruct.Builder base = NamedStruct.newBuilder();
    Type.Struct.Builder struct =
        Type.Struct.newBuilder().setNullability(Type.Nullability.NULLABILITY_REQUIRED);
    for (Field field : fileSchema.getFields()) {
      base.addNames(field.getName());
      struct.addTypes(SubstraitTypes.of(field));
    }
    base.setStruct(struct);
    return writer
        .out
        .setVersion(Version.newBuilder().setMinorNumber(52).setProducer("arrow-flight-cluster"))
        .setBaseSchema(base)
        .addReferredExpr(
            ExpressionReference.newBuilder().setExpression(expression).addOutputNames("filter"))
        .build()
        .toByteArray();
  }

  /**
   * @param utc whether a timestamp literal here is compared with a tz-aware column, so it is an
   *     instant (timestamp_tz) rather than a local date-time
   */
  private Expression expression(RexNode node, boolean utc) {
    if (node instanceof RexInputRef ref) {
      return field(ref.getIndex());
    }
    if (node instanceof RexLiteral literal) {
      return Expression.newBuilder().setLiteral(literal(literal, utc)).build();
    }
    RexCall call = (RexCall) node;
    boolean tzOperands = utc || call.getOperands().stream().anyMatch(this::isTzColumn);
    return switch (call.getKind()) {
      case AND -> chain(BOOLEAN, "and", call.getOperands(), tzOperands);
      case OR -> chain(BOOLEAN, "or", call.getOperands(), tzOperands);
      case NOT -> call(BOOLEAN, "not", call, tzOperands);
      case EQUALS -> call(COMPARISON, "equal", call, tzOperands);
      case NOT_EQUALS -> call(COMPARISON, "not_equal", call, tzOperands);
      case LESS_THAN -> call(COMPARISON, "lt", call, tzOperands);
      case LESS_THAN_OR_EQUAL -> call(COMPARISON, "lte", call, tzOperands);
      case GREATER_THAN -> call(COMPARISON, "gt", call, tzOperands);
      case GREATER_THAN_OR_EQUAL -> call(COMPARISON, "gte", call, tzOperands);
      case IS_NULL -> call(COMPARISON, "is_null", call, tzOperands);
      case IS_NOT_NULL -> call(COMPARISON, "is_not_null", call, tzOperands);
      case PLUS -> call(ARITHMETIC, "add", call, tzOperands);
      case MINUS -> call(ARITHMETIC, "subtract", call, tzOperands);
      case TIMES -> call(ARITHMETIC, "multiply", call, tzOperands);
      case DIVIDE -> call(ARITHMETIC, "divide", call, tzOperands);
      case CAST -> cast(call, tzOperands);
      default ->
          throw new IllegalStateException(
              "no native form for " + call.getKind() + " (the filter was not rewritten)");
    };
  }

  private boolean isTzColumn(RexNode node) {
    if (node instanceof RexInputRef ref) {
      Field field = fileSchema.getFields().get(ref.getIndex());
      return field.getType() instanceof ArrowType.Timestamp ts && ts.getTimezone() != null;
    }
    return false;
  }

  private Expression field(int index) {
    return Expression.newBuilder()
        .setSelection(
            Expression.FieldReference.newBuilder()
                .setDirectReference(
                    Expression.ReferenceSegment.newBuilder()
                        .setStructField(
                            Expression.ReferenceSegment.StructField.newBuilder().setField(index)))
                .setRootReference(Expression.FieldReference.RootReference.getDefaultInstance()))
        .build();
  }

  /**
   * Arrow's {@code and}/{@code or} take two arguments: n-ary calls (an IN list of a thousand values
   * is an OR of a thousand equalities) become a balanced tree, whose depth stays far below the
   * nesting limit of the protobuf parser on the native side.
   */
  private Expression chain(String uri, String name, List<RexNode> operands, boolean utc) {
    if (operands.size() == 1) {
      return expression(operands.get(0), utc);
    }
    int half = operands.size() / 2;
    return function(
        uri,
        name,
        List.of(
            chain(uri, name, operands.subList(0, half), utc),
            chain(uri, name, operands.subList(half, operands.size()), utc)),
        SubstraitTypes.bool());
  }

  private Expression call(String uri, String name, RexCall call, boolean utc) {
    boolean decimal =
        call.getOperands().stream()
            .anyMatch(operand -> operand.getType().getSqlTypeName() == SqlTypeName.DECIMAL);
    List<Expression> arguments =
        call.getOperands().stream()
            .map(
                operand ->
                    decimal && isIntegerLiteral(operand)
                        ? integerAsDecimal((RexLiteral) operand)
                        : expression(operand, utc))
            .toList();
    return function(uri, name, arguments, SubstraitTypes.of(call.getType()));
  }

  private static boolean isIntegerLiteral(RexNode node) {
    return node instanceof RexLiteral literal
        && !literal.isNull()
        && SqlTypeName.INT_TYPES.contains(literal.getType().getSqlTypeName());
  }

  /**
   * An integer next to a decimal, as a decimal of just its digits: Arrow would widen an int64
   * literal to decimal(19, 0) and then fail to find a common precision with a decimal column.
   */
  private static Expression integerAsDecimal(RexLiteral literal) {
    BigDecimal value = literal.getValueAs(BigDecimal.class);
    int precision = Math.max(1, value.precision());
    return Expression.newBuilder()
        .setLiteral(
            Expression.Literal.newBuilder()
                .setNullable(true)
                .setDecimal(decimal(value, precision, 0)))
        .build();
  }

  private Expression function(String uri, String name, List<Expression> arguments, Type output) {
    int uriAnchor =
        uris.computeIfAbsent(
            uri,
            u -> {
              int anchor = uris.size() + 1;
              out.addExtensionUris(
                  SimpleExtensionURI.newBuilder().setExtensionUriAnchor(anchor).setUri(u));
              return anchor;
            });
    int functionAnchor =
        functions.computeIfAbsent(
            uri + "#" + name,
            key -> {
              int anchor = functions.size() + 1;
              out.addExtensions(
                  SimpleExtensionDeclaration.newBuilder()
                      .setExtensionFunction(
                          SimpleExtensionDeclaration.ExtensionFunction.newBuilder()
                              .setExtensionUriReference(uriAnchor)
                              .setFunctionAnchor(anchor)
                              .setName(name)));
              return anchor;
            });
    Expression.ScalarFunction.Builder function =
        Expression.ScalarFunction.newBuilder()
            .setFunctionReference(functionAnchor)
            .setOutputType(output);
    for (Expression argument : arguments) {
      function.addArguments(FunctionArgument.newBuilder().setValue(argument));
    }
    return Expression.newBuilder().setScalarFunction(function).build();
  }

  private Expression cast(RexCall call, boolean utc) {
    return Expression.newBuilder()
        .setCast(
            Expression.Cast.newBuilder()
                .setType(SubstraitTypes.of(call.getType()))
                .setInput(expression(call.getOperands().get(0), utc))
                .setFailureBehavior(
                    Expression.Cast.FailureBehavior.FAILURE_BEHAVIOR_THROW_EXCEPTION))
        .build();
  }

  static Expression.Literal literal(RexLiteral literal, boolean utc) {
    RelDataType type = literal.getType();
    Expression.Literal.Builder builder = Expression.Literal.newBuilder().setNullable(true);
    if (literal.isNull()) {
      Type nullType =
          type.getSqlTypeName() == SqlTypeName.NULL
              ? SubstraitTypes.bool()
              : SubstraitTypes.of(type);
      return builder.setNull(nullType).build();
    }
    switch (type.getSqlTypeName()) {
      case BOOLEAN -> builder.setBoolean(literal.getValueAs(Boolean.class));
      case TINYINT -> builder.setI8(literal.getValueAs(Integer.class));
      case SMALLINT -> builder.setI16(literal.getValueAs(Integer.class));
      case INTEGER -> builder.setI32(literal.getValueAs(Integer.class));
      case BIGINT -> builder.setI64(literal.getValueAs(Long.class));
      case REAL, FLOAT -> builder.setFp32(literal.getValueAs(Float.class));
      case DOUBLE -> builder.setFp64(literal.getValueAs(Double.class));
      case DECIMAL ->
          builder.setDecimal(
              decimal(literal.getValueAs(BigDecimal.class), type.getPrecision(), type.getScale()));
      case CHAR, VARCHAR -> builder.setString(literal.getValueAs(String.class));
      case DATE -> builder.setDate(literal.getValueAs(Integer.class));
      case TIME -> {
        LocalTime time = LocalTime.parse(literal.getValueAs(TimeString.class).toString());
        builder.setTime(time.toNanoOfDay() / 1_000);
      }
      case TIMESTAMP -> {
        String text = literal.getValueAs(TimestampString.class).toString();
        LocalDateTime dateTime = LocalDateTime.parse(text.replace(' ', 'T'));
        long micros = ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), dateTime);
        if (utc) {
          builder.setTimestampTz(micros);
        } else {
          builder.setTimestamp(micros);
        }
      }
      default -> throw new IllegalStateException("no Substrait literal for " + type);
    }
    return builder.build();
  }

  private static Expression.Literal.Decimal decimal(BigDecimal value, int precision, int scale) {
    BigInteger unscaled = value.setScale(scale).unscaledValue();
    byte[] bigEndian = unscaled.toByteArray();
    byte[] littleEndian = new byte[16];
    byte sign = (byte) (unscaled.signum() < 0 ? -1 : 0);
    for (int i = 0; i < 16; i++) {
      littleEndian[i] = i < bigEndian.length ? bigEndian[bigEndian.length - 1 - i] : sign;
    }
    return Expression.Literal.Decimal.newBuilder()
        .setValue(ByteString.copyFrom(littleEndian))
        .setPrecision(precision)
        .setScale(scale)
        .build();
  }
}
