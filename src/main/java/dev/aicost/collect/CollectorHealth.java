package dev.aicost.collect;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/** One collector's health, as the same scrape reports it and the status page shows it. */
public final class CollectorHealth {
  private final String collector;
  private volatile boolean everRan;
  private volatile boolean success;
  private volatile double lastSuccessEpochSeconds;
  private volatile double lastDurationSeconds;
  private volatile String lastError = "";
  private volatile String lastErrorReason = "";
  private final Map<String, AtomicLong> errors =
      new ConcurrentSkipListMap<>(); // reason order, as exposed

  private record Call(String operation, String outcome) {}

  private final Map<Call, AtomicLong> upstream = new ConcurrentHashMap<>();
  private final AtomicLong apiCostMicroUsd = new AtomicLong();
  private volatile int upstreamProcesses = -1;

  public CollectorHealth(String collector) {
    this.collector = collector;
  }

  public String collector() {
    return collector;
  }

  void succeeded(double epochSeconds, double durationSeconds) {
    everRan = true;
    success = true;
    lastSuccessEpochSeconds = epochSeconds;
    lastDurationSeconds = durationSeconds;
  }

  void failed(String reason, String message, double durationSeconds) {
    everRan = true;
    success = false;
    lastDurationSeconds = durationSeconds;
    lastErrorReason = reason;
    lastError = message;
    countError(reason);
  }

  /** Known reasons appear at 0 before their first error. */
  void knownErrors(Iterable<String> reasons) {
    for (String r : reasons) errors.computeIfAbsent(r, k -> new AtomicLong());
  }

  void countError(String reason) {
    errors.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
  }

  void upstreamCall(String operation, String outcome) {
    upstream.computeIfAbsent(new Call(operation, outcome), k -> new AtomicLong()).incrementAndGet();
  }

  void upstreamProcesses(int count) {
    upstreamProcesses = count;
  }

  /** Distinct upstream processes that answered recently; -1 when the source does not tell. */
  public int upstreamProcesses() {
    return upstreamProcesses;
  }

  void apiCost(double usd) {
    apiCostMicroUsd.addAndGet(Math.round(usd * 1e6));
  }

  public boolean everRan() {
    return everRan;
  }

  /**
   * {@code starting} until the first run ends, then {@code up} or {@code down}: the status page's
   * and JSON API's word.
   */
  public String state() {
    return !everRan ? "starting" : success ? "up" : "down";
  }

  public boolean success() {
    return success;
  }

  public double lastSuccessEpochSeconds() {
    return lastSuccessEpochSeconds;
  }

  public double lastDurationSeconds() {
    return lastDurationSeconds;
  }

  public String lastError() {
    return lastError;
  }

  public String lastErrorReason() {
    return lastErrorReason;
  }

  public double apiCostUsd() {
    return apiCostMicroUsd.get() / 1e6;
  }

  public void forEachError(BiConsumer<String, Long> action) {
    errors.forEach((r, n) -> action.accept(r, n.get()));
  }

  /** (operation, outcome) -> count. */
  public void forEachUpstream(TriConsumer action) {
    upstream.forEach((k, n) -> action.accept(k.operation(), k.outcome(), n.get()));
  }

  @FunctionalInterface
  public interface TriConsumer {
    void accept(String operation, String outcome, long count);
  }
}
