package dev.flightcluster.cli.demo;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts another CLI process exactly like this one: same java binary, same
 * JVM options (the --add-opens Arrow needs, heap settings), same class path, same main class. A
 * debugger agent is left out, since two processes cannot listen on one debug port.
 */
public final class JavaCommand {
  private JavaCommand() {}

  /** {@code java <jvm options> -cp <class path> <main class> <arguments>}. */
  public static List<String> of(String mainClass, List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(arguments);
    return command;
  }

  static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  static List<String> jvmOptions(List<String> inputArguments) {
    return inputArguments.stream()
        .filter(
            option ->
                !option.startsWith("-agentlib:jdwp")
                    && !option.startsWith("-Xrunjdwp")
                    && !option.equals("-Xdebug"))
        .toList();
  }
}
