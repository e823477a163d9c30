package dev.flightcluster.cli.users;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flight-cluster users ...}: manages the users file coordinators read with --users. */
@Command(
    name = "users",
    description = "Manages a users file: who may log in at coordinators started with --users FILE.",
    mixinStandardHelpOptions = true,
    subcommands = {UsersAddCommand.class})
public final class UsersCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: add");
  }
}
