package dev.aicost.pricing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prices in force over time across reloads: each reload adds an epoch from the moment it took
 * effect, so an interval that straddles a reload is priced part at the old prices and part at the
 * new ones, instead of all of it at whichever is current when the interval is booked.
 *
 * <p>Token prices and {@code pricing.gpus} belong to the configuration as a whole, so each epoch
 * holds its own. A deployment's {@code gpu_hourly_usd} travels with the records instead (in {@code
 * CapacityDelta} and {@code GpuDelta}, as the source read it from its configuration); since a
 * reload rebuilds the sources, a record only knows the price in force at its end. For the part of
 * its interval before a reload, each epoch remembers the price the records of the same series
 * carried while it was current (see {@link #gpuPrices}).
 */
public final class PriceHistory {
  /**
   * Epochs kept: plenty for any interval a source can book (a reload every minute for half an
   * hour).
   */
  private static final int KEEP = 32;

  /**
   * Prices from {@code from} on, and the {@code gpu_hourly_usd} each series' records carried while
   * they were current (empty: no setting).
   */
  public static final class Epoch {
    private final Instant from;
    private final PriceCatalog catalog;
    private final GpuPriceResolver gpus;
    private final Map<Series, Optional<Double>> carried;

    private Epoch(
        Instant from,
        PriceCatalog catalog,
        GpuPriceResolver gpus,
        Map<Series, Optional<Double>> carried) {
      this.from = from;
      this.catalog = catalog;
      this.gpus = gpus;
      this.carried = carried;
    }

    public Instant from() {
      return from;
    }

    public PriceCatalog catalog() {
      return catalog;
    }

    public GpuPriceResolver gpus() {
      return gpus;
    }
  }

  /**
   * What a GPU record measures, so a part before a reload finds the price its predecessors carried:
   * a deployment's {@code gpu_count} capacity, or one GPU (by UUID).
   */
  public record Series(String deployment, String gpuUuid) {
    public static Series capacity(String deployment) {
      return new Series(deployment, null);
    }

    public static Series gpu(String uuid) {
      return new Series(null, uuid);
    }
  }

  /** A part of an interval, its share of the interval's length and the prices in force over it. */
  public record Part(Instant start, Instant end, double fraction, Epoch prices) {}

  /** A part of a GPU record's interval and the hourly price of one GPU over it. */
  public record GpuPart(Instant start, Instant end, double fraction, GpuPrice price) {}

  private volatile List<Epoch> epochs = List.of();

  /** A history with one epoch that covers all time (tests, tools). */
  public static PriceHistory of(PriceCatalog catalog, GpuPriceResolver gpus) {
    PriceHistory h = new PriceHistory();
    h.adopt(Instant.MIN, catalog, gpus);
    return h;
  }

  /** Prices that take effect at {@code from} (start: any time; reload: now). */
  public synchronized void adopt(Instant from, PriceCatalog catalog, GpuPriceResolver gpus) {
    List<Epoch> next = new ArrayList<>(epochs);
    // the first epoch reaches back to any time, so usage older than the process is still priced
    next.add(
        new Epoch(next.isEmpty() ? Instant.MIN : from, catalog, gpus, new ConcurrentHashMap<>()));
    while (next.size() > KEEP) {
      next.remove(0);
      Epoch oldest = next.get(0);
      next.set(0, new Epoch(Instant.MIN, oldest.catalog, oldest.gpus, oldest.carried));
    }
    epochs = List.copyOf(next);
  }

  public boolean isEmpty() {
    return epochs.isEmpty();
  }

  public Epoch current() {
    List<Epoch> e = epochs;
    if (e.isEmpty()) throw new IllegalStateException("no prices adopted yet");
    return e.get(e.size() - 1);
  }

  /**
   * [start, end] cut where the prices in force changed; one part when they did not (or end <=
   * start).
   */
  public List<Part> split(Instant start, Instant end) {
    return split(epochs, start, end);
  }

  /**
   * The hourly price of one GPU of a record over each part of [start, end]: in the current epoch
   * the record's own {@code gpu_hourly_usd}; in an earlier one the price this series' records
   * carried then (from the nearest earlier epoch that saw one; the record's own when none did, as
   * after a restart). Each part resolves with its epoch's {@code pricing.gpus}. Remembers the
   * record's price in the current epoch, for records that will straddle the next reload; a record
   * whose commit fails and is read again carries the same price, so that is safe to repeat.
   *
   * @param hourlyUsd the {@code gpu_hourly_usd} the record carries, or null
   * @param gpuName the GPU name the record carries, for {@code pricing.gpus} and the default table
   */
  public List<GpuPart> gpuPrices(
      Instant start, Instant end, Series series, Double hourlyUsd, String gpuName) {
    List<Epoch> e = epochs;
    Epoch now = e.get(e.size() - 1);
    now.carried.put(series, Optional.ofNullable(hourlyUsd));
    List<GpuPart> out = new ArrayList<>();
    for (Part p : split(e, start, end)) {
      Double hourly = p.prices() == now ? hourlyUsd : carriedAt(e, p.prices(), series, hourlyUsd);
      out.add(
          new GpuPart(p.start(), p.end(), p.fraction(), p.prices().gpus.resolve(hourly, gpuName)));
    }
    return out;
  }

  /** The price of one GPU of a record now, for the {@code aicost_gpu_price_usd_per_hour} gauge. */
  public GpuPrice gpuPriceNow(Double hourlyUsd, String gpuName) {
    return current().gpus.resolve(hourlyUsd, gpuName);
  }

  private static Double carriedAt(List<Epoch> e, Epoch epoch, Series series, Double fallback) {
    for (int i = e.indexOf(epoch); i >= 0; i--) {
      Optional<Double> seen = e.get(i).carried.get(series);
      if (seen != null) return seen.orElse(null);
    }
    return fallback;
  }

  private static List<Part> split(List<Epoch> e, Instant start, Instant end) {
    if (!start.isBefore(end)) return List.of(new Part(start, end, 1.0, at(e, end)));
    List<Part> out = new ArrayList<>();
    double total = end.toEpochMilli() - (double) start.toEpochMilli();
    Instant cursor = start;
    for (int i = 0; i < e.size(); i++) {
      Instant next = i + 1 < e.size() ? e.get(i + 1).from() : end;
      if (!next.isAfter(cursor)) continue;
      Instant partEnd = next.isBefore(end) ? next : end;
      out.add(
          new Part(
              cursor, partEnd, (partEnd.toEpochMilli() - cursor.toEpochMilli()) / total, e.get(i)));
      cursor = partEnd;
      if (!cursor.isBefore(end)) break;
    }
    return out;
  }

  private static Epoch at(List<Epoch> e, Instant t) {
    for (int i = e.size() - 1; i > 0; i--) if (!e.get(i).from().isAfter(t)) return e.get(i);
    return e.get(0);
  }
}
