package dev.flightcluster.cli.keys;

import dev.flightcluster.security.ClusterKeys;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flight-cluster keys init DIR [--host NAME]...}: writes a CA, a certificate and key for the
 * hosts (plus localhost and 127.0.0.1), and an ES256 token key pair; never overwrites a file.
 */
@Command(
    name = "init",
    description = {
      "Writes into DIR what a secure cluster needs, never overwriting a file:",
      "  "
          + ClusterKeys.CA_CERTIFICATE
          + ", "
          + ClusterKeys.CA_KEY
          + "   a CA (trust it with --tls-ca; keep its key off the cluster)",
      "  "
          + ClusterKeys.NODE_CERTIFICATE
          + ", "
          + ClusterKeys.NODE_KEY
          + "   a certificate for the --host names plus localhost and 127.0.0.1,"
          + " for --tls-cert and --tls-key (server and client certificate)",
      "  "
          + ClusterKeys.TOKEN_SIGNING_KEY
          + ", "
          + ClusterKeys.TOKEN_VERIFY_KEY
          + "   an ES256 key pair for signing and verifying tokens",
      "Every key is EC P-256, PEM; private keys are PKCS#8, mode 0600."
    },
    mixinStandardHelpOptions = true)
public final class KeysInitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The directory; created if missing.")
  Path directory;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description =
          "A DNS name or IP address the cluster's processes are reached at; repeat for each.")
  List<String> hosts = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    List<Path> written;
    try {
      written = ClusterKeys.write(directory, hosts, Instant.now());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--host: " + e.getMessage());
    } catch (FileAlreadyExistsException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          spec.commandLine()
              .getColorScheme()
              .errorText(
                  "error: "
                      + e.getFile()
                      + " exists; keys init never overwrites a file, and wrote nothing: move it"
                      + " away or choose another directory"));
      err.flush();
      return CommandLine.ExitCode.SOFTWARE;
    }
    PrintWriter out = spec.commandLine().getOut();
    for (Path file : written) {
      out.println("wrote " + file);
    }
    out.flush();
    return 0;
  }
}
