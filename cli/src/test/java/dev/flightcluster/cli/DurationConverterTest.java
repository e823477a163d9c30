package dev.flightcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsNumberAndUnit() {
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(converter.convert(" 5m ")).isEqualTo(Duration.ofMinutes(5));
    assertThat(converter.convert("1H")).isEqualTo(Duration.ofHours(1));
    assertThat(converter.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void rejectsZeroNegativeAndGarbage() {
    assertThatThrownBy(() -> converter.convert("0s"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("not a positive duration");
    assertThatThrownBy(() -> converter.convert("-1s")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("PT-1S"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> converter.convert("10"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("e.g. 500ms, 2s");
    assertThatThrownBy(() -> converter.convert("ten seconds"))
        .isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("1.5s")).isInstanceOf(TypeConversionException.class);
  }

  @Test
  void formatsTheWayItReads() {
    for (String text : new String[] {"500ms", "2s", "10s", "5m", "1h", "1500ms", "90s"}) {
      assertThat(DurationConverter.format(converter.convert(text))).isEqualTo(text);
    }
  }
}
