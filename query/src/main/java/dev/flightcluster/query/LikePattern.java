package dev.flightcluster.query;

/**
 * A LIKE pattern the native scan can evaluate exactly: a literal string ({@code 'abc'}, equality)
 * or a literal prefix followed by one trailing {@code %} ({@code 'abc%'}, a range of strings).
 * Arrow's Substrait consumer has no LIKE, and its {@code match_like} needs options a Substrait call
 * cannot carry, so other patterns are refused rather than run somewhere else.
 *
 * @param literal the characters the pattern matches literally, escapes removed
 * @param prefix whether a trailing {@code %} makes it a prefix match
 */
record LikePattern(String literal, boolean prefix) {
  /** The pattern, or null when it is neither exact nor a prefix. */
  static LikePattern parse(String pattern, Character escape) {
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (escape != null && c == escape) {
        if (i + 1 == pattern.length()) {
          return null;
        }
        literal.append(pattern.charAt(++i));
      } else if (c == '%') {
        if (i != pattern.length() - 1) {
          return null;
        }
        LikePattern prefix = new LikePattern(literal.toString(), true);
        return prefix.literal.isEmpty() || prefix.upperBound() != null ? prefix : null;
      } else if (c == '_') {
        return null;
      } else {
        literal.append(c);
      }
    }
    return new LikePattern(literal.toString(), false);
  }

  /**
   * The least string greater than every string that starts with {@link #literal}, or null when
   * there is none. Arrow compares strings by UTF-8 bytes, which orders like code points, so the
   * bound is the literal with its last code point incremented.
   */
  String upperBound() {
    int last = literal.codePointBefore(literal.length());
    int next = last + 1;
    if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
      next = Character.MAX_SURROGATE + 1;
    }
    if (next > Character.MAX_CODE_POINT) {
      return null;
    }
    return literal.substring(0, literal.length() - Character.charCount(last))
        + Character.toString(next);
  }
}
