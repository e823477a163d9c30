package dev.flightcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DataSizeConverterTest {
  private final DataSizeConverter converter = new DataSizeConverter();

  @Test
  void readsBinaryAndDecimalUnitsAndBareBytes() {
    assertThat(converter.convert("1GiB")).isEqualTo(1L << 30);
    assertThat(converter.convert("512 MiB")).isEqualTo(512L << 20);
    assertThat(converter.convert("64kib")).isEqualTo(64L << 10);
    assertThat(converter.convert("500MB")).isEqualTo(500_000_000L);
    assertThat(converter.convert("2GB")).isEqualTo(2_000_000_000L);
    assertThat(converter.convert("4096")).isEqualTo(4096L);
  }

  @Test
  void refusesWhatIsNotAPositiveSizeWithAMessageThatSaysWhatIsExpected() {
    assertThatThrownBy(() -> converter.convert("lots"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("e.g. 64MiB");
    assertThatThrownBy(() -> converter.convert("0MiB")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("-1GiB"))
        .isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("999999999999999TiB"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("too large");
  }

  @Test
  void theOrZeroVariantTakesZeroForOffAndOtherwiseReadsSizesAlike() {
    DataSizeConverter.OrZero orZero = new DataSizeConverter.OrZero();
    assertThat(orZero.convert("0")).isZero();
    assertThat(orZero.convert("0GB")).isZero();
    assertThat(orZero.convert("10GB")).isEqualTo(10_000_000_000L);
    assertThat(orZero.convert("512MiB")).isEqualTo(512L << 20);
    assertThatThrownBy(() -> orZero.convert("-1GiB")).isInstanceOf(TypeConversionException.class);
  }
}
