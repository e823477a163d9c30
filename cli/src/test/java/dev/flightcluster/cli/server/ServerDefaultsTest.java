package dev.flightcluster.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.server.DataServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The server command shows its defaults in --help, so picocli holds them too; they must be the
 * builder's, which is where each default is decided (decisions D56).
 */
class ServerDefaultsTest {
  @Test
  void theCommandsDefaultsAreTheBuilders() {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs();

    assertThat(command.heartbeatInterval).isEqualTo(DataServer.Builder.DEFAULT_HEARTBEAT_INTERVAL);
    assertThat(command.batchRows).isEqualTo(DataServer.Builder.DEFAULT_BATCH_ROWS);
    assertThat(command.scanMemory).isEqualTo(DataServer.Builder.DEFAULT_SCAN_MEMORY_BYTES);
    assertThat(command.scanQueueTimeout).isEqualTo(DataServer.Builder.DEFAULT_SCAN_QUEUE_TIMEOUT);
    assertThat(command.maxMessageSize).isEqualTo(DataServer.Builder.DEFAULT_MAX_MESSAGE_BYTES);
    assertThat(command.drainTimeout).isEqualTo(DataServer.Builder.DEFAULT_DRAIN_TIMEOUT);
    assertThat(command.uploadIdleTimeout).isEqualTo(DataServer.Builder.DEFAULT_UPLOAD_IDLE_TIMEOUT);
    // Unset, so the builder decides: its folder in the data dir, its share of the free space.
    assertThat(command.cacheDir).isNull();
    assertThat(command.cacheSize).isNull();
  }
}
