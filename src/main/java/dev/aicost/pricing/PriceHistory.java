package dev.aicost.pricing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The prices in force over time across reloads: each reload adds an epoch from the moment it took
 * effect, so an interval that straddles a reload is priced part at the old prices and part at the
 * new ones, instead of all of it at whichever is current when the interval is booked.
 */
public final class PriceHistory {
  /**
   * Epochs kept: plenty for any interval a source can book (a reload every minute for half an
   * hour).
   */
  private static final int KEEP = 32;

  /**
   * Prices from {@code from} on.
   *
   * @param deploymentHourlyUsd a deployment's own {@code gpu_hourly_usd}, or null
   */
  public record Epoch(
      Instant from,
      PriceCatalog catalog,
      GpuPriceResolver gpus,
      Function<String, Double> deploymentHourlyUsd) {
    public GpuPrice gpuPrice(String deployment, String gpuName) {
      return gpus.resolve(deploymentHourlyUsd.apply(deployment), gpuName);
    }
  }

  /** A part of an interval, its share of the interval's length and the prices in force over it. */
  public record Part(Instant start, Instant end, double fraction, Epoch prices) {}

  private volatile List<Epoch> epochs = List.of();

  /** A history with one epoch that covers all time (tests, tools). */
  public static PriceHistory of(
      PriceCatalog catalog, GpuPriceResolver gpus, Function<String, Double> deploymentHourlyUsd) {
    PriceHistory h = new PriceHistory();
    h.adopt(Instant.MIN, catalog, gpus, deploymentHourlyUsd);
    return h;
  }

  /** Prices that take effect at {@code from} (start: any time; reload: now). */
  public synchronized void adopt(
      Instant from,
      PriceCatalog catalog,
      GpuPriceResolver gpus,
      Function<String, Double> deploymentHourlyUsd) {
    List<Epoch> next = new ArrayList<>(epochs);
    // the first epoch reaches back to any time, so usage older than the process is still priced
    next.add(new Epoch(next.isEmpty() ? Instant.MIN : from, catalog, gpus, deploymentHourlyUsd));
    while (next.size() > KEEP) {
      next.remove(0);
      Epoch oldest = next.get(0);
      next.set(
          0, new Epoch(Instant.MIN, oldest.catalog(), oldest.gpus(), oldest.deploymentHourlyUsd()));
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
    List<Epoch> e = epochs;
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
