package dev.flightcluster.coordinator.sql;

import java.util.regex.Pattern;

/**
 * A Flight SQL metadata filter pattern ({@code db_schema_filter_pattern}, {@code
 * table_name_filter_pattern}): SQL LIKE syntax, {@code %} for any run of characters, {@code _} for
 * one, {@code \} escaping either. Immutable.
 */
final class LikePattern {
  /** Matches every name: the pattern of an absent filter. */
  static final LikePattern ANY = new LikePattern(Pattern.compile(".*", Pattern.DOTALL));

  private final Pattern regex;

  private LikePattern(Pattern regex) {
    this.regex = regex;
  }

  /** The pattern of {@code like}, or {@link #ANY} when it is absent ({@code present} false). */
  static LikePattern of(boolean present, String like) {
    if (!present) {
      return ANY;
    }
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < like.length(); i++) {
      char c = like.charAt(i);
      if (c == '\\' && i + 1 < like.length()) {
        regex.append(Pattern.quote(String.valueOf(like.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new LikePattern(Pattern.compile(regex.toString(), Pattern.DOTALL));
  }

  boolean matches(String name) {
    return regex.matcher(name).matches();
  }
}
