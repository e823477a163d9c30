package dev.flightcluster.coordinator.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.PutParts;
import java.util.List;
import org.junit.jupiter.api.Test;

class PutVisibilityTest {
  private static final String PUT = "0123456789abcdef";
  private static final String OTHER = "fedcba9876543210";

  @Test
  void aCompletePutIsVisibleEvenWhenItsPartsRepeatOverServers() {
    List<String> paths =
        List.of(
            PutParts.committedName(PUT, 0, 3),
            PutParts.committedName(PUT, 1, 3),
            PutParts.committedName(PUT, 1, 3),
            PutParts.committedName(PUT, 2, 3));

    assertThat(PutVisibility.hidden(paths)).isEmpty();
  }

  @Test
  void aPutMissingAPartIsHiddenWholeWhileOtherFilesAndPutsStay() {
    String plain = "2024/data.parquet";
    List<String> paths =
        List.of(
            plain,
            PutParts.committedName(PUT, 0, 3),
            PutParts.committedName(PUT, 2, 3),
            PutParts.committedName(OTHER, 0, 1));

    assertThat(PutVisibility.hidden(paths))
        .containsExactlyInAnyOrder(
            PutParts.committedName(PUT, 0, 3), PutParts.committedName(PUT, 2, 3));
    assertThat(PutVisibility.visible(plain, paths)).isTrue();
    assertThat(PutVisibility.visible(PutParts.committedName(OTHER, 0, 1), paths)).isTrue();
  }

  @Test
  void partsDisagreeingOnTheCountAreHidden() {
    List<String> paths =
        List.of(PutParts.committedName(PUT, 0, 2), PutParts.committedName(PUT, 1, 3));

    assertThat(PutVisibility.hidden(paths)).hasSize(2);
  }

  @Test
  void aPartInASubfolderCountsByItsFileName() {
    List<String> paths = List.of("x/" + PutParts.committedName(PUT, 0, 2));

    assertThat(PutVisibility.hidden(paths))
        .containsExactly("x/" + PutParts.committedName(PUT, 0, 2));
  }
}
