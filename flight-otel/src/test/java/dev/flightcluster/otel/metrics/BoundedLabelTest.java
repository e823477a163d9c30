package dev.flightcluster.otel.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BoundedLabelTest {
  @Test
  void theFirstValuesKeepTheirNameAndLaterOnesAreOther() {
    BoundedLabel label = new BoundedLabel(2);

    assertThat(label.value("a")).isEqualTo("a");
    assertThat(label.value("b")).isEqualTo("b");
    assertThat(label.value("c")).isEqualTo(BoundedLabel.OTHER);
    assertThat(label.value("a")).as("admitted once, admitted for good").isEqualTo("a");
    assertThat(label.value("b")).isEqualTo("b");
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> new BoundedLabel(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
