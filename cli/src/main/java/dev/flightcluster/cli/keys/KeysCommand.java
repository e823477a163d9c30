package dev.flightcluster.cli.keys;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flight-cluster keys ...}: the key material of a secure cluster. */
@Command(
    name = "keys",
    description = "Makes the certificates and keys a secure cluster needs.",
    mixinStandardHelpOptions = true,
    subcommands = {KeysInitCommand.class})
public final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: init");
  }
}
