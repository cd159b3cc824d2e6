package dev.aicost.http;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * The rendered {@code /metrics} bodies, rebuilt when the state changes rather than on every scrape.
 *
 * <p>Collectors call {@link #changed()} after every run; while someone scrapes, that re-renders the
 * formats scrapers asked for (on the collector's thread, so a scrape never pays for it). A scrape
 * serves the latest complete rendering; it renders itself only when none exists yet, or when the
 * state changed while nobody was scraping (then pre-rendering was skipped to save CPU). With
 * {@link #refreshEvery} it also re-renders on a timer, for values that change on their own (JVM, process).
 */
public final class ExpositionCache implements AutoCloseable {
  /** Without a scrape for this long, changes only mark the cache stale. */
  private static final long ACTIVE_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final PrometheusRegistry registry;
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final AtomicLong version = new AtomicLong(1);
  private final Map<Key, Body> bodies = new ConcurrentHashMap<>();
  private volatile long lastScrapeNanos = System.nanoTime() - ACTIVE_NANOS;
  private volatile boolean rendering;
  private volatile ScheduledExecutorService ticker;

  /** A rendered body for one (content type, gzip) pair, at one state version: bytes[0, length). */
  public record Body(long version, String contentType, byte[] bytes, int length) {}

  private record Key(String contentType, boolean gzip) {}

  public ExpositionCache(PrometheusRegistry registry) {
    this.registry = registry;
  }

  /**
   * Also re-render every {@code period}: process_* and jvm_* change without any collector run, and a
   * source read hourly must not leave them an hour old. Same cost rule as {@link #changed()}.
   */
  public synchronized void refreshEvery(Duration period) {
    if (ticker != null) return;
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "exposition-refresh");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleWithFixedDelay(this::changed, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    ScheduledExecutorService t = ticker;
    if (t != null) t.shutdownNow();
  }

  /** State changed: re-render what scrapers use, if anyone scrapes. */
  public void changed() {
    long v = version.incrementAndGet();
    if (System.nanoTime() - lastScrapeNanos < ACTIVE_NANOS) refresh(v);
  }

  private synchronized void refresh(long v) {
    if (bodies.isEmpty() || bodies.values().stream().allMatch(b -> b.version >= v)) return;
    rendering = true;
    try {
      long current = version.get(); // read before the scrape: later changes re-render again
      MetricSnapshots snapshots = registry.scrape();
      for (Key k : bodies.keySet()) bodies.put(k, render(k, snapshots, current));
    } finally {
      rendering = false;
    }
  }

  /** The body for an Accept header and gzip wish: cached when fresh enough, else rendered now. */
  public Body get(String accept, boolean gzip) {
    lastScrapeNanos = System.nanoTime();
    ExpositionFormatWriter writer = formats.findWriter(accept);
    Key key = new Key(writer.getContentType(), gzip);
    Body b = bodies.get(key);
    if (b != null && (b.version == version.get() || rendering)) return b;
    synchronized (this) {
      b = bodies.get(key);
      long v = version.get();
      if (b != null && b.version == v) return b;
      b = render(key, registry.scrape(), v);
      bodies.put(key, b);
      return b;
    }
  }

  /** A filtered scrape ({@code name[]}): not cached. */
  public Body render(String accept, boolean gzip, MetricSnapshots snapshots) {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    return render(new Key(writer.getContentType(), gzip), snapshots, version.get());
  }

  private Body render(Key key, MetricSnapshots snapshots, long v) {
    ExpositionFormatWriter writer = formats.findWriter(acceptFor(key.contentType));
    Body previous = bodies.get(key);
    // sized from the last rendering, and handed out without a copy: a 2 MB body is not copied three times
    Buffer out = new Buffer(previous == null ? 256 * 1024 : previous.length + previous.length / 8);
    try {
      if (key.gzip) {
        try (GZIPOutputStream z = new GZIPOutputStream(out, 64 * 1024)) {
          writer.write(z, snapshots);
        }
      } else {
        writer.write(out, snapshots);
      }
      return new Body(v, writer.getContentType(), out.array(), out.size());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final class Buffer extends ByteArrayOutputStream {
    Buffer(int size) {
      super(size);
    }

    byte[] array() {
      return buf;
    }
  }

  /** The Accept header that selects the writer of a content type again. */
  private static String acceptFor(String contentType) {
    if (contentType.startsWith("application/openmetrics-text")) return "application/openmetrics-text; version=1.0.0";
    if (contentType.startsWith("application/vnd.google.protobuf")) {
      return "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    }
    return "text/plain";
  }
}
