package dev.aicost.http;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * state changed while nobody was scraping (then pre-rendering was skipped to save CPU). With {@link
 * #refreshEvery} it also re-renders on a timer, for values that change on their own (JVM, process).
 */
public final class ExpositionCache implements AutoCloseable {
  /** Without a scrape for this long, changes only mark the cache stale. */
  private static final long ACTIVE_NANOS = TimeUnit.MINUTES.toNanos(10);

  /**
   * Distinct {@code name[]} selections kept rendered; beyond it the least recently asked for goes.
   */
  static final int MAX_FILTERS = 16;

  private final PrometheusRegistry registry;
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final AtomicLong version = new AtomicLong(1);
  private final Map<Key, Body> bodies = new ConcurrentHashMap<>();
  private final Map<Key, Long> filterUse =
      new ConcurrentHashMap<>(); // selection -> last asked for (nanoTime)
  private volatile long lastScrapeNanos = System.nanoTime() - ACTIVE_NANOS;
  private volatile boolean rendering;
  private final AtomicLong renders = new AtomicLong();
  private volatile ScheduledExecutorService ticker;

  /** A rendered body for one (content type, gzip) pair, at one state version: bytes[0, length). */
  public record Body(long version, String contentType, byte[] bytes, int length) {}

  /** {@code names} is a {@code name[]} selection, or null for every family. */
  private record Key(String contentType, boolean gzip, Set<String> names) {}

  public ExpositionCache(PrometheusRegistry registry) {
    this.registry = registry;
  }

  /**
   * Also re-render every {@code period}: process_* and jvm_* change without any collector run, and
   * a source read hourly must not leave them an hour old. Same cost rule as {@link #changed()}.
   */
  public synchronized void refreshEvery(Duration period) {
    if (ticker != null) return;
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "exposition-refresh");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleWithFixedDelay(
        this::changed, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
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
      long now = System.nanoTime();
      filterUse.forEach(
          (k, used) -> { // a selection nobody asked for lately stops costing renders
            if (now - used > ACTIVE_NANOS && filterUse.remove(k, used)) bodies.remove(k);
          });
      MetricSnapshots snapshots = registry.scrape();
      for (Key k : bodies.keySet()) bodies.put(k, render(k, snapshots, current));
    } finally {
      rendering = false;
    }
  }

  /** The body for an Accept header and gzip wish: cached when fresh enough, else rendered now. */
  public Body get(String accept, boolean gzip) {
    return get(accept, gzip, List.of());
  }

  /**
   * The same for a {@code ?name[]=} selection (empty: every family). A selection is cached like the
   * full body and re-rendered with it after a change, from the same collection, so asking for a few
   * families costs what asking for all of them costs: a cache read. At most {@link #MAX_FILTERS}
   * selections are kept.
   */
  public Body get(String accept, boolean gzip, Collection<String> names) {
    lastScrapeNanos = System.nanoTime();
    ExpositionFormatWriter writer = formats.findWriter(accept);
    Key key = new Key(writer.getContentType(), gzip, names.isEmpty() ? null : Set.copyOf(names));
    if (key.names != null) filterUse.put(key, System.nanoTime());
    Body b = bodies.get(key);
    if (b != null && (b.version == version.get() || rendering)) return b;
    if (key.names != null) return renderSelection(key);
    synchronized (this) {
      b = bodies.get(key);
      long v = version.get();
      if (b != null && b.version == v) return b;
      b = render(key, registry.scrape(), v);
      bodies.put(key, b);
      return b;
    }
  }

  /**
   * A selection not rendered yet is rendered outside the lock, so a client cycling through made-up
   * names pays its own collections without holding up the full bodies; it is then kept like the
   * others.
   */
  private Body renderSelection(Key key) {
    long v = version.get();
    Body fresh = render(key, registry.scrape(), v);
    synchronized (this) {
      filterUse.put(
          key, System.nanoTime()); // again under the lock: an eviction in between may have taken it
      evictFilters();
      Body cached = bodies.get(key);
      if (cached == null || cached.version < v) bodies.put(key, fresh);
    }
    return fresh;
  }

  /** Makes room for one more selection: the least recently asked for ones go. */
  private void evictFilters() {
    while (filterUse.size() > MAX_FILTERS) {
      Key oldest = null;
      long oldestNanos = Long.MAX_VALUE;
      for (Map.Entry<Key, Long> e : filterUse.entrySet()) {
        if (e.getValue() - oldestNanos < 0 || oldest == null) {
          oldest = e.getKey();
          oldestNanos = e.getValue();
        }
      }
      filterUse.remove(oldest);
      bodies.remove(oldest);
    }
  }

  /**
   * Bodies rendered so far (for tests and the benchmark: a served-from-cache scrape renders
   * nothing).
   */
  long renders() {
    return renders.get();
  }

  /** Bodies kept. */
  int size() {
    return bodies.size();
  }

  private Body render(Key key, MetricSnapshots snapshots, long v) {
    renders.incrementAndGet();
    if (key.names != null) snapshots = select(snapshots, key.names);
    ExpositionFormatWriter writer = formats.findWriter(acceptFor(key.contentType));
    Body previous = bodies.get(key);
    // sized from the last rendering, and handed out without a copy: a 2 MB body is not copied three
    // times
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

  /**
   * The families a {@code name[]} list names, by exposed name (counters with _total, info with
   * _info) or base name.
   */
  private static MetricSnapshots select(MetricSnapshots all, Set<String> names) {
    List<MetricSnapshot> kept = new ArrayList<>();
    for (MetricSnapshot m : all) {
      String n = m.getMetadata().getPrometheusName();
      if (names.contains(n) || names.contains(n + "_total") || names.contains(n + "_info"))
        kept.add(m);
    }
    return new MetricSnapshots(kept);
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
    if (contentType.startsWith("application/openmetrics-text"))
      return "application/openmetrics-text; version=1.0.0";
    if (contentType.startsWith("application/vnd.google.protobuf")) {
      return "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    }
    return "text/plain";
  }
}
