package dev.flightcluster.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.arrow.flight.Location;

/**
 * A socket that accepts connections and never reads or answers: what a stopped (SIGSTOP) or wedged
 * process looks like to a new connection, since the kernel completes the TCP handshake for it.
 */
final class Blackhole implements AutoCloseable {
  private final ServerSocket socket;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  Blackhole() {
    try {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    acceptor = new Thread(this::accept, "blackhole-" + socket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  Location location() {
    return Location.forGrpcInsecure("127.0.0.1", socket.getLocalPort());
  }

  /** Connections accepted so far. */
  int connections() {
    return accepted.size();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        accepted.add(socket.accept());
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Override
  public void close() throws Exception {
    socket.close();
    for (Socket connection : accepted) {
      connection.close();
    }
    acceptor.join();
  }
}
