package dev.aicost.http;

import dev.aicost.metrics.Metrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP server turned away ({@code aicost_http_refused_total{reason}}), and one log line
 * per reason at most every 10 s. A flood must not cost a re-render per refused request: refusals
 * mark the exposition changed at most once a second, so the counts show within a second.
 */
final class Refusals implements MultiCollector {
  private static final Logger log = LoggerFactory.getLogger(Refusals.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  enum Reason {
    UNAUTHORIZED,
    AUTH_BUSY,
    SLOW_HEADERS;

    final String label = name().toLowerCase(Locale.ROOT);
  }

  private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);
  private final Map<Reason, AtomicLong> lastLog = new EnumMap<>(Reason.class);
  private final Map<Reason, LongAdder> sinceLog = new EnumMap<>(Reason.class);
  private final AtomicBoolean flushPending = new AtomicBoolean();
  private final ScheduledExecutorService scheduler;
  private final Runnable changed;

  Refusals(ScheduledExecutorService scheduler, Runnable changed) {
    this.scheduler = scheduler;
    this.changed = changed;
    for (Reason r : Reason.values()) {
      counts.put(r, new LongAdder());
      sinceLog.put(r, new LongAdder());
      lastLog.put(r, new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS));
    }
  }

  /**
   * Counts {@code n} refusals; {@code detail} is a key=value tail for the log line (never a
   * credential).
   */
  void add(Reason reason, int n, String detail) {
    counts.get(reason).add(n);
    sinceLog.get(reason).add(n);
    AtomicLong last = lastLog.get(reason);
    long now = System.nanoTime(), then = last.get();
    if (now - then >= LOG_EVERY_NANOS && last.compareAndSet(then, now)) {
      log.warn(
          "event=http_refused reason={} count={} {}",
          reason.label,
          sinceLog.get(reason).sumThenReset(),
          detail);
    }
    if (flushPending.compareAndSet(false, true)) {
      scheduler.schedule(
          () -> {
            flushPending.set(false);
            changed.run();
          },
          1,
          TimeUnit.SECONDS);
    }
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot.Builder b =
        CounterSnapshot.builder()
            .name(Metrics.HTTP_REFUSED.name())
            .help(Metrics.HTTP_REFUSED.help());
    boolean any = false;
    for (Reason r : Reason.values()) {
      long n = counts.get(r).sum();
      if (n == 0) continue;
      b.dataPoint(
          CounterSnapshot.CounterDataPointSnapshot.builder()
              .labels(Labels.of("reason", r.label))
              .value(n)
              .build());
      any = true;
    }
    return any ? new MetricSnapshots(b.build()) : new MetricSnapshots();
  }
}
