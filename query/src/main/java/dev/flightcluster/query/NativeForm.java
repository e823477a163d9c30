package dev.flightcluster.query;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.plan.RelOptPredicateList;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexInterpreter;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSimplify;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.TimestampString;

/**
 * The rewrites that bring a validated filter to what the native scan evaluates, each exact under
 * SQL's three-valued logic: LIKE with an exact or prefix pattern becomes comparisons, unary minus a
 * subtraction, Calcite's SEARCH (what IN and BETWEEN simplify to) comparisons again, and {@code IS
 * [NOT] TRUE/FALSE} (which simplification may produce) Kleene logic with {@code is_not_null}.
 * Binding puts known (partition) values in as literals and folds constants, with unknown treated as
 * false, which is what a filter does with it.
 */
final class NativeForm {
  private NativeForm() {}

  /** How many operator calls {@code condition} has. */
  static int operators(RexNode condition) {
    int[] count = {0};
    condition.accept(
        new RexShuttle() {
          @Override
          public RexNode visitCall(RexCall call) {
            count[0]++;
            return super.visitCall(call);
          }
        });
    return count[0];
  }

  /** The parse-time rewrites: LIKE and unary signs. */
  static RexNode rewrite(RexNode condition, RexBuilder rexBuilder) {
    return condition.accept(new Rewriter(rexBuilder));
  }

  /**
   * {@code condition} with the columns in {@code known} replaced by their values and constants
   * folded; a result that is the literal FALSE means no row can pass.
   */
  static RexNode bind(
      RexNode condition, Schema schema, Map<String, Object> known, RexBuilder rexBuilder) {
    RexNode bound =
        condition.accept(
            new RexShuttle() {
              @Override
              public RexNode visitInputRef(RexInputRef ref) {
                String name = schema.getFields().get(ref.getIndex()).getName();
                if (!known.containsKey(name)) {
                  return ref;
                }
                RexNode value = literal(known.get(name), ref.getType(), rexBuilder);
                return value == null ? ref : value;
              }
            });
    RexSimplify simplify = new RexSimplify(rexBuilder, RelOptPredicateList.EMPTY, RexUtil.EXECUTOR);
    RexNode simplified = simplify.simplifyUnknownAsFalse(fold(bound, rexBuilder));
    return RexUtil.expandSearch(rexBuilder, null, simplified).accept(new Rewriter(rexBuilder));
  }

  /**
   * Evaluates every constant boolean subexpression with Calcite's interpreter: RexSimplify alone
   * leaves comparisons of string and date literals as they are.
   */
  private static RexNode fold(RexNode node, RexBuilder rexBuilder) {
    return node.accept(
        new RexShuttle() {
          @Override
          public RexNode visitCall(RexCall call) {
            if (!RexUtil.isConstant(call)
                || call.getType().getSqlTypeName() != SqlTypeName.BOOLEAN) {
              return super.visitCall(call);
            }
            Comparable<?> value;
            try {
              value = RexInterpreter.evaluate(call, Map.of());
            } catch (RuntimeException e) {
              // An operator the interpreter lacks: the call stays, and the scan evaluates it.
              return super.visitCall(call);
            }
            return value instanceof Boolean b
                ? rexBuilder.makeLiteral(b)
                : rexBuilder.makeNullLiteral(call.getType());
          }
        });
  }

  /**
   * {@code condition} (over {@code schema}'s field indexes) over {@code fileSchema}'s indexes.
   *
   * @throws IllegalArgumentException when it names a column the file does not hold
   */
  static RexNode reindex(RexNode condition, Schema schema, Schema fileSchema) {
    List<Field> fileFields = fileSchema.getFields();
    return condition.accept(
        new RexShuttle() {
          @Override
          public RexNode visitInputRef(RexInputRef ref) {
            String name = schema.getFields().get(ref.getIndex()).getName();
            for (int i = 0; i < fileFields.size(); i++) {
              if (fileFields.get(i).getName().equals(name)) {
                return new RexInputRef(i, ref.getType());
              }
            }
            throw new IllegalArgumentException(
                "the filter names column \""
                    + name
                    + "\", which is neither in the file nor among the known values");
          }
        });
  }

  /** A known value as a literal of the column's type, or null when it is not one. */
  private static RexNode literal(Object value, RelDataType type, RexBuilder rexBuilder) {
    if (value == null) {
      return rexBuilder.makeNullLiteral(type);
    }
    String text = value.toString();
    try {
      return switch (type.getSqlTypeName()) {
        case TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, FLOAT, DOUBLE ->
            rexBuilder.makeLiteral(new BigDecimal(text), type, false);
        case CHAR, VARCHAR -> rexBuilder.makeLiteral(text);
        case BOOLEAN ->
            text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")
                ? rexBuilder.makeLiteral(Boolean.parseBoolean(text), type, false)
                : null;
        case DATE -> rexBuilder.makeLiteral(new DateString(text), type, false);
        case TIMESTAMP -> rexBuilder.makeLiteral(new TimestampString(text), type, false);
        default -> null;
      };
    } catch (IllegalArgumentException e) {
      // A partition value that is not a value of the column's type cannot be compared: the
      // column stays unknown.
      return null;
    }
  }

  private static final class Rewriter extends RexShuttle {
    private final RexBuilder rexBuilder;

    Rewriter(RexBuilder rexBuilder) {
      this.rexBuilder = rexBuilder;
    }

    @Override
    public RexNode visitCall(RexCall original) {
      RexCall call = (RexCall) super.visitCall(original);
      List<RexNode> operands = call.getOperands();
      return switch (call.getKind()) {
        case LIKE -> like(call);
        case MINUS_PREFIX ->
            rexBuilder.makeCall(
                call.getType(),
                SqlStdOperatorTable.MINUS,
                List.of(rexBuilder.makeZeroLiteral(operands.get(0).getType()), operands.get(0)));
        case PLUS_PREFIX -> operands.get(0);
        case SEARCH -> RexUtil.expandSearch(rexBuilder, null, call).accept(this);
        case IS_TRUE -> isTrue(operands.get(0));
        case IS_NOT_TRUE -> not(isTrue(operands.get(0)));
        case IS_FALSE -> isTrue(not(operands.get(0)));
        case IS_NOT_FALSE -> not(isTrue(not(operands.get(0))));
        default -> call;
      };
    }

    private RexNode not(RexNode node) {
      return rexBuilder.makeCall(SqlStdOperatorTable.NOT, node);
    }

    /** {@code b AND b IS NOT NULL}: true, false, false for true, false, null. */
    private RexNode isTrue(RexNode node) {
      return rexBuilder.makeCall(
          SqlStdOperatorTable.AND,
          node,
          rexBuilder.makeCall(SqlStdOperatorTable.IS_NOT_NULL, node));
    }

    private RexNode like(RexCall call) {
      RexNode value = call.getOperands().get(0);
      String text = ((RexLiteral) call.getOperands().get(1)).getValueAs(String.class);
      Character escape =
          call.getOperands().size() > 2
              ? ((RexLiteral) call.getOperands().get(2)).getValueAs(String.class).charAt(0)
              : null;
      LikePattern pattern = LikePattern.parse(text, escape);
      if (pattern == null) {
        throw new IllegalStateException("LIKE pattern was not checked: " + text);
      }
      RexNode literal = rexBuilder.makeLiteral(pattern.literal());
      RexNode result;
      if (!pattern.prefix()) {
        result = rexBuilder.makeCall(SqlStdOperatorTable.EQUALS, value, literal);
      } else if (pattern.literal().isEmpty()) {
        // '%' matches every string and is unknown for null, as value >= '' is.
        result = rexBuilder.makeCall(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL, value, literal);
      } else {
        result =
            rexBuilder.makeCall(
                SqlStdOperatorTable.AND,
                rexBuilder.makeCall(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL, value, literal),
                rexBuilder.makeCall(
                    SqlStdOperatorTable.LESS_THAN,
                    value,
                    rexBuilder.makeLiteral(pattern.upperBound())));
      }
      return call.getOperator().getName().startsWith("NOT") ? not(result) : result;
    }
  }
}
