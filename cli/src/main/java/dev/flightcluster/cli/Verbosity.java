package dev.flightcluster.cli;

import dev.flightcluster.cli.logging.LogFormat;
import dev.flightcluster.cli.logging.Logging;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.ParseResult;

/**
 * The {@code --verbose} and {@code --log-format} options, which every command inherits from the
 * root: debug logging of this project and stack traces with errors; JSON log lines. It is read from
 * the parse result, so it works wherever on the command line it stands.
 */
final class Verbosity implements IExecutionStrategy {
  static final String OPTION = "--verbose";
  static final String LOG_FORMAT = "--log-format";

  private final IExecutionStrategy delegate;

  Verbosity(IExecutionStrategy delegate) {
    this.delegate = delegate;
  }

  @Override
  public int execute(ParseResult parseResult) {
    Logging.setVerbose(isVerbose(parseResult));
    Logging.setFormat(logFormat(parseResult));
    return delegate.execute(parseResult);
  }

  static boolean isVerbose(ParseResult parseResult) {
    for (ParseResult result = parseResult; result != null; result = result.subcommand()) {
      if (result.hasMatchedOption(OPTION)) {
        return true;
      }
    }
    return false;
  }

  /** The {@code --log-format} given on any level of the command line, else text. */
  static LogFormat logFormat(ParseResult parseResult) {
    LogFormat format = LogFormat.TEXT;
    for (ParseResult result = parseResult; result != null; result = result.subcommand()) {
      if (result.hasMatchedOption(LOG_FORMAT)) {
        format = result.matchedOptionValue(LOG_FORMAT, LogFormat.TEXT);
      }
    }
    return format;
  }

  /** Installs the strategy on a command line, around picocli's default one. */
  static CommandLine install(CommandLine commandLine) {
    return commandLine.setExecutionStrategy(new Verbosity(new CommandLine.RunLast()));
  }
}
