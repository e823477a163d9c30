package dev.flightcluster.query;

import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformance;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlDelegatingConformance;

/**
 * The SQL dialect of filters and statements: standard SQL with double-quoted identifiers, names
 * kept exactly as written (quoted or not) and matched case-sensitively, and {@code !=} accepted
 * besides {@code <>} because the SQL of JDBC tools and hand-written filters uses both.
 */
final class SqlSyntax {
  private SqlSyntax() {}

  static final SqlConformance CONFORMANCE =
      new SqlDelegatingConformance(SqlConformanceEnum.DEFAULT) {
        @Override
        public boolean isBangEqualAllowed() {
          return true;
        }
      };

  static final SqlParser.Config PARSER =
      SqlParser.config()
          .withQuoting(Quoting.DOUBLE_QUOTE)
          .withUnquotedCasing(Casing.UNCHANGED)
          .withQuotedCasing(Casing.UNCHANGED)
          .withCaseSensitive(true)
          .withParserFactory(SqlBabelParserImpl.FACTORY)
          .withConformance(CONFORMANCE);
}
