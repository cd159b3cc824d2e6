package dev.aicost.budget;

import dev.aicost.config.BudgetConfig;
import dev.aicost.config.ExporterConfig;
import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerException;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Metrics;
import dev.aicost.store.GaugeStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's read side in a running exporter: one timer thread recomputes the budget gauges and
 * the movers the status page shows, and applies the ledger's retention once an hour. Nothing here
 * runs on a scrape or a collector thread.
 */
public final class BudgetService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BudgetService.class);
  static final Duration RETENTION_EVERY = Duration.ofHours(1);

  /**
   * Rows older than this are merged into hour rows: month to date (up to 31 days), the pace and the
   * movers (14 days) read quarter hours, exact in every zone.
   */
  public static final Duration QUARTER_HOURS_KEPT = Duration.ofDays(35);

  private final LedgerReader reader;
  private final Ledger ledger;
  private final Clock clock;
  private final BudgetTracker tracker;
  private final GaugeStore gauges;
  private volatile List<BudgetConfig> budgetConfigs = List.of();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "budgets");
            t.setDaemon(true);
            return t;
          });
  private volatile Duration retention;
  private volatile Map<Movers.Period, Movers.Result> movers = Map.of();
  private Instant lastRetention = Instant.EPOCH;

  public BudgetService(
      LedgerReader reader, Ledger ledger, GaugeStore gauges, Clock clock, Runnable changed) {
    this.reader = reader;
    this.ledger = ledger;
    this.clock = clock;
    this.gauges = gauges;
    this.tracker = new BudgetTracker(reader, gauges, clock, changed);
  }

  /** Adopts a (re)loaded configuration: budgets, time zone, retention; recomputes at once. */
  public synchronized void configure(ExporterConfig cfg) {
    retention = cfg.state().retention();
    budgetConfigs = cfg.budgets();
    tracker.configure(cfg.budgets(), ZoneId.of(cfg.timezone()));
    refreshMovers();
  }

  public void start(Duration every) {
    timer.scheduleWithFixedDelay(this::tick, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One round of the timer; never throws (an executor would cancel the task silently). */
  synchronized void tick() {
    try {
      applyRetention();
      tracker.recompute();
      refreshMovers();
    } catch (RuntimeException e) {
      log.error("event=budget_timer_error error=\"{}\"", String.valueOf(e.getMessage()));
    }
  }

  private void applyRetention() {
    Instant now = clock.instant();
    if (retention == null || Duration.between(lastRetention, now).compareTo(RETENTION_EVERY) < 0)
      return;
    lastRetention = now;
    Instant cutoff = now.minus(retention);
    try {
      int n = ledger.deleteRowsBefore(cutoff);
      if (n > 0) log.info("event=ledger_retention deleted_rows={} before={}", n, cutoff);
      Instant compactBefore = now.minus(QUARTER_HOURS_KEPT);
      int merged = ledger.compactRowsBefore(compactBefore);
      if (merged > 0)
        log.info("event=ledger_compacted quarter_rows={} before={}", merged, compactBefore);
    } catch (LedgerException e) {
      log.warn("event=ledger_retention_failed error=\"{}\"", e.getMessage());
    }
  }

  private void refreshMovers() {
    ZoneId zone = tracker.zone();
    LocalDate yesterday = LocalDate.ofInstant(clock.instant(), zone).minusDays(1);
    Map<Movers.Period, Movers.Result> next = new EnumMap<>(Movers.Period.class);
    try {
      for (Movers.Period p : Movers.Period.values())
        next.put(p, Movers.compute(reader, p, yesterday, zone));
    } catch (LedgerException e) {
      log.warn("event=movers_compute_failed error=\"{}\"", e.getMessage());
      return;
    }
    movers = next;
  }

  public BudgetTracker tracker() {
    return tracker;
  }

  public LedgerReader reader() {
    return reader;
  }

  public ZoneId zone() {
    return tracker.zone();
  }

  public Clock clock() {
    return clock;
  }

  public List<BudgetConfig> budgetConfigs() {
    return budgetConfigs;
  }

  /**
   * Estimate vs bill per provider, where a reconciling source has set {@code
   * aicost_reconciliation_drift_ratio}; empty when none has.
   */
  public Map<String, Double> reconciliationDrift() {
    Map<String, Double> drift = new TreeMap<>();
    gauges.forEach(
        Metrics.RECONCILIATION_DRIFT,
        (labels, ratio) -> drift.put(labels.get(Metrics.PROVIDER), ratio));
    return drift;
  }

  /** The movers as of the last timer round (null before the first). */
  public Movers.Result movers(Movers.Period p) {
    return movers.get(p);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reader.close();
  }
}
