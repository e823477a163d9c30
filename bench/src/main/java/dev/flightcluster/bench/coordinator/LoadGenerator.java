package dev.flightcluster.bench.coordinator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;

/**
 * Drives GetFlightInfo at the coordinator from one client channel: closed loop (each thread sends
 * its next request when the last one returns) and open loop (requests due at a fixed rate, each
 * latency measured from the instant it was due, so a slow answer delays the ones behind it and is
 * charged to them too: no coordinated omission). Every loop is bounded by time and by count.
 */
final class LoadGenerator {
  /** Deadline of one call; a call past it counts as an error. */
  private static final long CALL_TIMEOUT_SECONDS = 10;

  private final FlightClient client;
  private final BenchDatasets datasets;
  private final int maxSamplesPerThread;
  private final AtomicLong seeds = new AtomicLong(42);

  LoadGenerator(FlightClient client, BenchDatasets datasets, int maxSamplesPerThread) {
    this.client = requireNonNull(client, "client is null");
    this.datasets = requireNonNull(datasets, "datasets is null");
    this.maxSamplesPerThread = maxSamplesPerThread;
  }

  /** One closed-loop run; {@code maxRequests} bounds the total across threads. */
  ClosedLoopResult closedLoop(int threads, Duration duration, long maxRequests)
      throws InterruptedException {
    long perThread = Math.max(1, maxRequests / threads);
    List<LatencySamples> samples = new ArrayList<>();
    AtomicLong errors = new AtomicLong();
    AtomicLong badAnswers = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    long[] startEnd = new long[2];
    MachineLoad load = MachineLoad.start();
    for (int t = 0; t < threads; t++) {
      LatencySamples mine = new LatencySamples(maxSamplesPerThread);
      samples.add(mine);
      SplittableRandom random = new SplittableRandom(seeds.incrementAndGet());
      workers.add(
          Thread.ofPlatform()
              .name("bench-closed-" + t)
              .start(
                  () -> {
                    ready.countDown();
                    awaitQuietly(go);
                    long end = startEnd[0] + duration.toNanos();
                    for (long n = 0; n < perThread && System.nanoTime() < end; n++) {
                      int dataset = random.nextInt(datasets.count());
                      long t0 = System.nanoTime();
                      try {
                        FlightInfo info = getInfo(dataset);
                        mine.add(System.nanoTime() - t0);
                        if (!plausible(info, dataset)) {
                          badAnswers.incrementAndGet();
                        }
                      } catch (FlightRuntimeException e) {
                        errors.incrementAndGet();
                      }
                    }
                  }));
    }
    ready.await();
    startEnd[0] = System.nanoTime();
    go.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - startEnd[0]) / 1e9;
    LatencySamples all = LatencySamples.merge(samples);
    return new ClosedLoopResult(
        threads,
        all.size(),
        errors.get(),
        badAnswers.get(),
        round(seconds, 3),
        round(all.size() / seconds, 1),
        all.summary(),
        load.stop().otherCores());
  }

  /**
   * One open-loop run: {@code rate * duration} requests, request {@code i} due at {@code start + i
   * / rate}, sent by whichever of {@code workers} threads is free. Requests not yet sent when
   * {@code 2 * duration + 1 s} have passed are abandoned, so an overloaded coordinator ends the run
   * instead of stretching it.
   */
  OpenLoopResult openLoop(
      int rate, Duration duration, int workers, double heldP99Millis, int attempt)
      throws InterruptedException {
    MachineLoad load = MachineLoad.start();
    long total = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
    double intervalNanos = 1e9 / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    long giveUp = start + 2 * duration.toNanos() + TimeUnit.SECONDS.toNanos(1);
    AtomicLong next = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong badAnswers = new AtomicLong();
    AtomicLong abandoned = new AtomicLong();
    AtomicLong lastDone = new AtomicLong(start);
    List<LatencySamples> latencies = new ArrayList<>();
    List<LatencySamples> sendLags = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      LatencySamples latency = new LatencySamples(maxSamplesPerThread);
      LatencySamples lag = new LatencySamples(maxSamplesPerThread);
      latencies.add(latency);
      sendLags.add(lag);
      SplittableRandom random = new SplittableRandom(seeds.incrementAndGet());
      threads.add(
          Thread.ofPlatform()
              .name("bench-open-" + w)
              .start(
                  () -> {
                    for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                      long due = start + (long) (i * intervalNanos);
                      for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                        LockSupport.parkNanos(due - now);
                      }
                      long sent = System.nanoTime();
                      if (sent > giveUp) {
                        abandoned.incrementAndGet();
                        continue;
                      }
                      int dataset = random.nextInt(datasets.count());
                      try {
                        FlightInfo info = getInfo(dataset);
                        long done = System.nanoTime();
                        latency.add(done - due);
                        lag.add(sent - due);
                        lastDone.accumulateAndGet(done, Math::max);
                        if (!plausible(info, dataset)) {
                          badAnswers.incrementAndGet();
                        }
                      } catch (FlightRuntimeException e) {
                        errors.incrementAndGet();
                      }
                    }
                  }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    LatencySamples latency = LatencySamples.merge(latencies);
    LatencySamples.Summary summary = latency.summary();
    double seconds = (lastDone.get() - start) / 1e9;
    boolean held =
        errors.get() == 0
            && abandoned.get() == 0
            && badAnswers.get() == 0
            && summary.p99() <= heldP99Millis * 1_000;
    return new OpenLoopResult(
        rate,
        attempt,
        round(duration.toNanos() / 1e9, 3),
        total,
        latency.size(),
        errors.get(),
        badAnswers.get(),
        abandoned.get(),
        round(seconds > 0 ? latency.size() / seconds : 0, 1),
        held,
        summary,
        LatencySamples.merge(sendLags).summary(),
        load.stop().otherCores());
  }

  private FlightInfo getInfo(int dataset) {
    return client.getInfo(
        datasets.descriptor(dataset), CallOptions.timeout(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS));
  }

  /** A cheap check that the coordinator answered about the dataset asked, with its replicas. */
  private boolean plausible(FlightInfo info, int dataset) {
    return info.getDescriptor().equals(datasets.descriptor(dataset))
        && info.getEndpoints().size() == 1
        && info.getEndpoints().get(0).getLocations().size() == datasets.holders(dataset);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  /**
   * @param requests answered calls, errors not included
   * @param badAnswers answers for the wrong dataset or with the wrong number of replicas
   * @param otherCores CPU cores other processes used during the run ({@link MachineLoad})
   */
  record ClosedLoopResult(
      int threads,
      long requests,
      long errors,
      long badAnswers,
      double seconds,
      double throughputRps,
      LatencySamples.Summary latencyUs,
      double otherCores) {}

  /**
   * @param rateRps the intended rate
   * @param attempt 1, or 2 for the repeat of a rate missed while other processes were busy
   * @param scheduled requests due in the run
   * @param completed answered calls
   * @param abandoned requests not sent because the run had overrun its bound
   * @param achievedRps completed calls per second, from the start to the last answer
   * @param held whether every request was answered, correctly, with p99 within the bound
   * @param latencyUs from the instant each request was due to its answer
   * @param sendLagUs from the instant each request was due to when it was sent: timer slack and
   *     waiting for a free worker; part of {@code latencyUs}
   * @param otherCores CPU cores other processes used during the run ({@link MachineLoad})
   */
  record OpenLoopResult(
      int rateRps,
      int attempt,
      double durationSeconds,
      long scheduled,
      long completed,
      long errors,
      long badAnswers,
      long abandoned,
      double achievedRps,
      boolean held,
      LatencySamples.Summary latencyUs,
      LatencySamples.Summary sendLagUs,
      double otherCores) {}
}
