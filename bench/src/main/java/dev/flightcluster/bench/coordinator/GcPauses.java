package dev.flightcluster.bench.coordinator;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The stop-the-world collections while a configuration ran: the client, the coordinator and the
 * servers share this heap, so a pause stalls all of them and lands in the tail latencies.
 * Concurrent collectors' background cycles (G1's "Concurrent GC" bean) are not pauses and are left
 * out.
 */
final class GcPauses implements AutoCloseable {
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong totalMillis = new AtomicLong();
  private final AtomicLong maxMillis = new AtomicLong();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onNotification;

  private GcPauses() {
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean instanceof NotificationEmitter emitter && !bean.getName().contains("Concurrent")) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  static GcPauses start() {
    return new GcPauses();
  }

  private void onNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
        notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    if ("System.gc()".equals(info.getGcCause())) {
      // The bench's own collection between configurations, notified asynchronously.
      return;
    }
    long millis = info.getGcInfo().getDuration();
    count.incrementAndGet();
    totalMillis.addAndGet(millis);
    maxMillis.accumulateAndGet(millis, Math::max);
  }

  Summary summary() {
    return new Summary(count.get(), totalMillis.get(), maxMillis.get());
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // Already gone: nothing to undo.
      }
    }
  }

  /** Pauses and their durations in milliseconds (the JVM reports whole milliseconds). */
  record Summary(long pauses, long totalMs, long maxMs) {}
}
