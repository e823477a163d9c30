package dev.flightcluster.coordinator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sockets on 127.0.0.1 that accept connections and never read or write: a peer that is stalled
 * after the TCP handshake, the worst case for a caller without deadlines.
 */
final class Blackholes implements AutoCloseable {
  private final List<ServerSocket> listeners = new ArrayList<>();
  private final List<Thread> acceptors = new ArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  Blackholes(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      ServerSocket listener = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
      listeners.add(listener);
      acceptors.add(
          Thread.ofPlatform().daemon().name("blackhole-" + i).start(() -> accept(listener)));
    }
  }

  /** The {@code grpc://} URI of blackhole {@code index}. */
  String uri(int index) {
    return "grpc://127.0.0.1:" + listeners.get(index).getLocalPort();
  }

  /** Connections accepted so far, over all blackholes. */
  int accepted() {
    return accepted.size();
  }

  private void accept(ServerSocket listener) {
    while (!listener.isClosed()) {
      try {
        accepted.add(listener.accept());
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Override
  public void close() throws Exception {
    for (ServerSocket listener : listeners) {
      listener.close();
    }
    for (Thread acceptor : acceptors) {
      acceptor.join();
    }
    for (Socket socket : accepted) {
      socket.close();
    }
  }
}
