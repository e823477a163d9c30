package dev.flightcluster.coordinator.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LikePatternTest {
  @Test
  void percentMatchesAnyRunAndUnderscoreOneCharacter() {
    LikePattern pattern = LikePattern.of(true, "tr_p%");
    assertThat(pattern.matches("trips")).isTrue();
    assertThat(pattern.matches("trap")).isTrue();
    assertThat(pattern.matches("tips")).isFalse();
  }

  @Test
  void everythingElseIsLiteralAndBackslashEscapes() {
    assertThat(LikePattern.of(true, "dir/sales.parquet").matches("dir/sales.parquet")).isTrue();
    assertThat(LikePattern.of(true, "a.c").matches("abc")).as("a dot is a dot").isFalse();
    assertThat(LikePattern.of(true, "a\\_c").matches("a_c")).isTrue();
    assertThat(LikePattern.of(true, "a\\_c").matches("abc")).isFalse();
  }

  @Test
  void anAbsentPatternMatchesEveryName() {
    assertThat(LikePattern.of(false, "").matches("anything/at.all")).isTrue();
  }
}
