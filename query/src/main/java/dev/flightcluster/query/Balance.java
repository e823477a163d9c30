package dev.flightcluster.query;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;

/**
 * Reshapes the parser's left-deep chains of AND and OR ({@code a OR b OR c ...} is {@code ((a OR b)
 * OR c) ...}) into balanced trees, which is exact (both are associative under three-valued logic)
 * and keeps the depth logarithmic: Calcite converts expressions recursively and overflowed the
 * stack at a few hundred ORs. What is still nested too deeply is refused.
 */
final class Balance {
  static final int MAX_DEPTH = 64;

  private Balance() {}

  static SqlNode balance(String what, SqlNode node) {
    SqlNode balanced = rebuild(node);
    if (depth(balanced) > MAX_DEPTH) {
      throw SqlErrors.invalid(
          what,
          node.getParserPosition(),
          "the filter is nested more than " + MAX_DEPTH + " levels deep");
    }
    return balanced;
  }

  private static SqlNode rebuild(SqlNode node) {
    if (node instanceof SqlBasicCall call
        && (call.getKind() == SqlKind.AND || call.getKind() == SqlKind.OR)) {
      List<SqlNode> terms = new ArrayList<>();
      Deque<SqlNode> pending = new ArrayDeque<>();
      pending.push(call);
      // Iterative, so a chain of any length is flattened without recursion.
      while (!pending.isEmpty()) {
        SqlNode next = pending.pop();
        if (next instanceof SqlBasicCall inner && inner.getKind() == call.getKind()) {
          for (int i = inner.operandCount() - 1; i >= 0; i--) {
            pending.push(inner.operand(i));
          }
        } else {
          terms.add(rebuild(next));
        }
      }
      return tree(call, terms, 0, terms.size());
    }
    if (node instanceof SqlBasicCall call) {
      for (int i = 0; i < call.operandCount(); i++) {
        SqlNode operand = call.operand(i);
        if (operand != null) {
          call.setOperand(i, rebuild(operand));
        }
      }
    }
    return node;
  }

  private static SqlNode tree(SqlBasicCall chain, List<SqlNode> terms, int from, int to) {
    if (to - from == 1) {
      return terms.get(from);
    }
    int middle = (from + to) >>> 1;
    return chain
        .getOperator()
        .createCall(
            chain.getParserPosition(),
            tree(chain, terms, from, middle),
            tree(chain, terms, middle, to));
  }

  private static int depth(SqlNode node) {
    int deepest = 0;
    if (node instanceof SqlBasicCall call) {
      for (SqlNode operand : call.getOperandList()) {
        if (operand != null) {
          deepest = Math.max(deepest, depth(operand));
        }
      }
    } else if (node instanceof SqlNodeList list) {
      for (SqlNode item : list) {
        deepest = Math.max(deepest, depth(item));
      }
    }
    return deepest + 1;
  }
}
