package dev.flightcluster.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void rendersKnownAndUnknownTotals() {
    assertThat(ProgressBar.render("get x", 0, 1_000))
        .isEqualTo("get x [>                             ]   0% 0/1,000 rows");
    assertThat(ProgressBar.render("get x", 500, 1_000))
        .isEqualTo("get x [===============>              ]  50% 500/1,000 rows");
    assertThat(ProgressBar.render("get x", 1_000, 1_000))
        .isEqualTo("get x [==============================] 100% 1,000/1,000 rows");
    assertThat(ProgressBar.render("put y", 123_456, -1)).isEqualTo("put y 123,456 rows");
  }

  @Test
  void drawsInPlaceAndClearsOrStaysSilent() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ProgressBar bar =
        new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "get", 10, true)) {
      bar.update(5);
      bar.update(10);
    }
    String drawn = bytes.toString(StandardCharsets.UTF_8);
    assertThat(drawn).startsWith("\rget [").contains(" 50% ").contains("100% ").endsWith("\r");

    ByteArrayOutputStream silent = new ByteArrayOutputStream();
    try (ProgressBar bar =
        new ProgressBar(new PrintStream(silent, true, StandardCharsets.UTF_8), "get", 10, false)) {
      bar.update(5);
    }
    assertThat(silent.size()).isZero();
  }
}
