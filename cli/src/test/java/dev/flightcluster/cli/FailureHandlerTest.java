package dev.flightcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.arrow.flight.CallStatus;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class FailureHandlerTest {
  @Test
  void flightStatusAndDescriptionOnOneLine() {
    Exception failure =
        CallStatus.NOT_FOUND
            .withDescription("no dataset 'taxi.parquet'\nknown: a, b")
            .toRuntimeException();
    assertThat(FailureHandler.describe(failure))
        .isEqualTo("NOT_FOUND: no dataset 'taxi.parquet' | known: a, b");
  }

  @Test
  void findsTheStatusInsideWrappers() {
    Exception failure =
        new ExecutionException(
            new RuntimeException(
                "wrapped",
                CallStatus.UNAVAILABLE.withDescription("Connection refused").toRuntimeException()));
    assertThat(FailureHandler.describe(failure)).isEqualTo("UNAVAILABLE: Connection refused");
    assertThat(
            FailureHandler.describe(
                Status.DEADLINE_EXCEEDED.withDescription("5s").asRuntimeException()))
        .isEqualTo("DEADLINE_EXCEEDED: 5s");
  }

  @Test
  void addsTheRootCauseWhenTheStatusIsVague() {
    Exception refused =
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(new java.net.ConnectException("Connection refused: /127.0.0.1:1"))
            .asRuntimeException();
    assertThat(FailureHandler.describe(refused))
        .isEqualTo(
            "UNAVAILABLE: io exception (ConnectException: Connection refused: /127.0.0.1:1)");
    Exception flight =
        CallStatus.UNAVAILABLE
            .withDescription("io exception")
            .withCause(refused)
            .toRuntimeException();
    assertThat(FailureHandler.describe(flight))
        .isEqualTo(
            "UNAVAILABLE: io exception (ConnectException: Connection refused: /127.0.0.1:1)");
  }

  @Test
  void plainExceptionsSayWhatKind() {
    assertThat(FailureHandler.describe(new UncheckedIOException(new IOException("/x/y.parquet"))))
        .isEqualTo("IOException: /x/y.parquet");
    assertThat(FailureHandler.describe(new IllegalArgumentException("bad input")))
        .isEqualTo("bad input");
    assertThat(FailureHandler.describe(new NullPointerException()))
        .isEqualTo("NullPointerException");
  }

  @Test
  void exitCodeOneAndStackTraceOnlyWhenVerbose() {
    StringWriter quiet = new StringWriter();
    assertThat(run(quiet)).isEqualTo(1);
    assertThat(quiet.toString().strip()).isEqualTo("error: UNAVAILABLE: no coordinator");

    StringWriter verbose = new StringWriter();
    assertThat(run(verbose, "--verbose")).isEqualTo(1);
    assertThat(verbose.toString())
        .startsWith("error: UNAVAILABLE: no coordinator")
        .contains("at dev.flightcluster.cli.FailureHandlerTest$Failing.call");
  }

  @Test
  void usageErrorsExitTwo() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "--no-such-option")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
  }

  private static int run(StringWriter err, String... args) {
    CommandLine commandLine =
        new CommandLine(new Failing())
            .setExecutionExceptionHandler(new FailureHandler())
            .setErr(new PrintWriter(err))
            .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    return Verbosity.install(commandLine).execute(args);
  }

  @Command(name = "failing")
  static final class Failing implements Callable<Integer> {
    @Option(names = Verbosity.OPTION)
    boolean verbose;

    @Override
    public Integer call() {
      throw CallStatus.UNAVAILABLE.withDescription("no coordinator").toRuntimeException();
    }
  }
}
