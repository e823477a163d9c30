package dev.flightcluster.cli.users;

import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.UsersFile;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code flight-cluster users add FILE NAME --role ROLE}: creates or updates a user. The password
 * comes from env FLIGHT_PASSWORD or is read from the terminal without echo, never from a flag.
 */
@Command(
    name = "add",
    description = {
      "Creates the user, or updates its role and password, in the users file (created 0600 if",
      "missing). The password is read from env FLIGHT_PASSWORD, or asked for on the terminal;",
      "the file keeps only its bcrypt hash."
    },
    mixinStandardHelpOptions = true)
public final class UsersAddCommand implements Callable<Integer> {
  /** The environment variable a script passes the password in. */
  static final String PASSWORD_ENV = "FLIGHT_PASSWORD";

  @Spec CommandSpec spec;

  /** Reads the environment; tests replace it. */
  UnaryOperator<String> env = System::getenv;

  /**
   * The terminal, or null when there is none (a pipe, a container without -t); tests replace it.
   */
  Supplier<Console> console = System::console;

  @Parameters(index = "0", paramLabel = "FILE", description = "The users file.")
  Path file;

  @Parameters(index = "1", paramLabel = "NAME", description = "The user name.")
  String name;

  @Option(
      names = "--role",
      required = true,
      converter = RoleConverter.class,
      paramLabel = "ROLE",
      description =
          "read (list, info, schema, get), write (read + put), node (a data server registering),"
              + " or admin (everything).")
  Role role;

  @Override
  public Integer call() throws Exception {
    char[] password = password();
    try {
      boolean existed;
      try {
        existed = UsersFile.put(file, name, role, password);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "%s user %s (role %s) in %s%n",
          existed ? "updated" : "added", name, role.wireName(), file);
      out.flush();
      return 0;
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private char[] password() {
    String fromEnv = env.apply(PASSWORD_ENV);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return fromEnv.toCharArray();
    }
    Console terminal = console.get();
    if (terminal == null) {
      throw new ParameterException(
          spec.commandLine(),
          "no password: set env " + PASSWORD_ENV + ", or run on a terminal to be asked for it");
    }
    char[] first = terminal.readPassword("Password for %s: ", name);
    char[] second = terminal.readPassword("Again: ");
    try {
      if (first == null || first.length == 0) {
        throw new ParameterException(spec.commandLine(), "the password is empty");
      }
      if (!Arrays.equals(first, second)) {
        throw new ParameterException(
            spec.commandLine(), "the passwords differ; nothing was changed");
      }
      return first.clone();
    } finally {
      if (first != null) {
        Arrays.fill(first, '\0');
      }
      if (second != null) {
        Arrays.fill(second, '\0');
      }
    }
  }

  /** Parses read, write, node and admin. */
  static final class RoleConverter implements ITypeConverter<Role> {
    @Override
    public Role convert(String value) {
      try {
        return Role.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
