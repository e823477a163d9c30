package dev.flightcluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher's choice of Arrow C++'s allocator ({@code FLIGHT_NATIVE_ALLOCATOR}, decisions D93).
 * The suites that start the distribution (this module's other tests, Jaeger, compose) run on the
 * default choice; these check the others and the refusal of an unknown one.
 */
class NativeAllocatorIT {
  @TempDir Path work;

  // --version exports no spans: no receiver is needed behind this address.
  private final Distribution distribution = Distribution.exportingTo("http://127.0.0.1:9");

  @ParameterizedTest
  @ValueSource(strings = {"auto", "glibc", "mimalloc"})
  void everyOfferedAllocatorStartsTheCli(String allocator) throws Exception {
    Distribution.Run run =
        distribution
            .with("FLIGHT_NATIVE_ALLOCATOR", allocator)
            .run(work, "allocator-" + allocator, 120, "--version");

    assertThat(run.exitCode()).as("%s", run).isZero();
    assertThat(run.out()).startsWith("flight-cluster ");
  }

  @Test
  void anUnknownAllocatorIsRefusedBeforeTheJvmStarts() throws Exception {
    Distribution.Run run =
        distribution
            .with("FLIGHT_NATIVE_ALLOCATOR", "tcmalloc")
            .run(work, "allocator-unknown", 60, "--version");

    assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
    assertThat(run.err())
        .contains(
            "FLIGHT_NATIVE_ALLOCATOR must be auto, jemalloc, glibc or mimalloc, not 'tcmalloc'");
    assertThat(run.out()).isEmpty();
  }
}
