package dev.flightcluster.e2e.inprocess;

import dev.flightcluster.testing.TestKeys;
import java.nio.file.Path;

/**
 * The cases of {@link SecureClusterTest} with TLS on every hop: coordinators and the data server
 * serve grpc+tls with the node certificate, and every node and client trusts only the test CA.
 */
class TlsSecureClusterTest extends SecureClusterTest {
  @Override
  TestKeys writeKeys(Path directory) {
    return TestKeys.create(directory);
  }
}
