package dev.flightcluster.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a long-running command (coordinator, server) alive until the JVM is asked to stop (SIGTERM,
 * SIGINT), then closes its resources in reverse order of registration from the shutdown hook:
 * servers first, so they can say goodbye and finish their spans, and the telemetry last, so those
 * spans are flushed.
 */
public final class UntilStopped {
  private static final Logger log = LoggerFactory.getLogger(UntilStopped.class);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private boolean hookInstalled;

  /** Registers a resource to close on stop; the last registered closes first. */
  public synchronized <T extends AutoCloseable> T register(T resource) {
    resources.add(resource);
    return resource;
  }

  /** Blocks until a signal stops the JVM, then returns once everything is closed. */
  public void await() throws InterruptedException {
    synchronized (this) {
      if (!hookInstalled) {
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "flight-cluster-shutdown"));
        hookInstalled = true;
      }
    }
    closed.await();
  }

  /** Closes everything registered, last first; failures are logged and do not stop the rest. */
  public void closeAll() {
    List<AutoCloseable> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(resources);
      resources.clear();
    }
    try {
      for (int i = toClose.size() - 1; i >= 0; i--) {
        try {
          toClose.get(i).close();
        } catch (Exception e) {
          log.warn("failed to close {} on shutdown: {}", toClose.get(i), e.toString());
        }
      }
    } finally {
      closed.countDown();
    }
  }
}
