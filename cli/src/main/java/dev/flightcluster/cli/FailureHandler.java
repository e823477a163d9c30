package dev.flightcluster.cli;

import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.arrow.flight.FlightRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failed command into exit code 1 and one line on stderr, such as {@code error:
 * UNAVAILABLE: no coordinator at grpc://localhost:8888}. The stack trace follows only with {@code
 * --verbose}: a user who mistyped a dataset name needs the Flight status and its description, not
 * sixty lines of gRPC internals.
 */
public final class FailureHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception failure, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    err.println(commandLine.getColorScheme().errorText("error: " + describe(failure)));
    if (Verbosity.isVerbose(parseResult)) {
      failure.printStackTrace(err);
    }
    err.flush();
    return CommandLine.ExitCode.SOFTWARE;
  }

  /** One line that says what went wrong, led by the Flight or gRPC status when there is one. */
  public static String describe(Throwable failure) {
    Throwable cause = unwrap(failure);
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof FlightRuntimeException flight) {
        return oneLine(
            flight.status().code() + withRootCause(flight.status().description(), flight));
      }
      if (t instanceof StatusRuntimeException grpc) {
        return oneLine(
            grpc.getStatus().getCode() + withRootCause(grpc.getStatus().getDescription(), grpc));
      }
    }
    return oneLine(message(cause));
  }

  /**
   * ": description", plus the root cause when it says more: gRPC reports a refused connection as
   * "UNAVAILABLE: io exception", and only the cause names the address.
   */
  private static String withRootCause(String description, Throwable failure) {
    String text = description == null ? "" : description.strip();
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != failure
        && !(root instanceof FlightRuntimeException)
        && !(root instanceof StatusRuntimeException)
        && root.getMessage() != null
        && !text.contains(root.getMessage())) {
      text = text.isEmpty() ? message(root) : text + " (" + message(root) + ")";
    }
    return text.isEmpty() ? "" : ": " + text;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof ExecutionException
            || t instanceof CompletionException
            || t instanceof UncheckedIOException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String message(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      return t.getClass().getSimpleName();
    }
    // A bare IOException message is usually a path; say what kind of failure it was.
    if (t.getClass().getName().startsWith("java.")
        && !(t instanceof IllegalArgumentException)
        && !(t instanceof IllegalStateException)) {
      return t.getClass().getSimpleName() + ": " + message;
    }
    return message;
  }

  private static String oneLine(String text) {
    return text.strip().replaceAll("\\s*\\R\\s*", " | ");
  }
}
