package dev.aicost.budget;

import dev.aicost.config.BudgetConfig;
import dev.aicost.ledger.LedgerException;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import dev.aicost.store.GaugeStore;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the budget gauges ({@code aicost_budget_*}) current: recomputed from the ledger off the
 * scrape path (on the caller's thread: a timer and each reload), so a scrape never waits on disk. A
 * failed read keeps the last figures and says so once per failure streak.
 */
public final class BudgetTracker {
  private static final Logger log = LoggerFactory.getLogger(BudgetTracker.class);
  private static final List<Family> FAMILIES =
      List.of(Metrics.BUDGET, Metrics.BUDGET_MTD, Metrics.BUDGET_FORECAST, Metrics.BUDGET_VARIANCE);

  private final LedgerReader ledger;
  private final GaugeStore gauges;
  private final Clock clock;
  private final Runnable changed;
  private volatile List<BudgetConfig> budgets = List.of();
  private volatile ZoneId zone = ZoneId.of("UTC");
  private volatile List<BudgetFigures> figures = List.of();
  private boolean failing;

  /**
   * @param changed told after the gauges moved (re-renders the exposition)
   */
  public BudgetTracker(LedgerReader ledger, GaugeStore gauges, Clock clock, Runnable changed) {
    this.ledger = ledger;
    this.gauges = gauges;
    this.clock = clock;
    this.changed = changed;
  }

  /** Adopts the budgets and zone of a (re)loaded configuration and recomputes at once. */
  public void configure(List<BudgetConfig> budgets, ZoneId zone) {
    this.budgets = List.copyOf(budgets);
    this.zone = zone;
    recompute();
  }

  public ZoneId zone() {
    return zone;
  }

  /** The latest figures, in configuration order. */
  public List<BudgetFigures> figures() {
    return figures;
  }

  public synchronized void recompute() {
    List<BudgetConfig> list = budgets;
    ZoneId z = zone;
    List<BudgetFigures> next = new ArrayList<>();
    try {
      for (BudgetConfig b : list) next.add(BudgetForecaster.compute(ledger, b, z, clock.instant()));
    } catch (LedgerException | RuntimeException e) {
      if (!failing)
        log.warn(
            "event=budget_compute_failed error=\"{}\" effect=\"budget gauges keep their last values\"",
            e.getMessage());
      failing = true;
      return;
    }
    if (failing) log.info("event=budget_compute_recovered budgets={}", next.size());
    failing = false;
    Set<String> names = new HashSet<>();
    for (BudgetFigures f : next) {
      List<String> l = List.of(f.name());
      names.add(f.name());
      gauges.set(Metrics.BUDGET, l, f.monthlyUsd());
      gauges.set(Metrics.BUDGET_MTD, l, f.monthToDateUsd());
      gauges.set(Metrics.BUDGET_FORECAST, l, f.forecastUsd());
      gauges.set(Metrics.BUDGET_VARIANCE, l, f.varianceRatio());
    }
    // a budget removed by a reload stops being exposed
    for (Family fam : FAMILIES) gauges.removeWhere(fam, l -> !names.contains(l.get(0)));
    figures = List.copyOf(next);
    changed.run();
  }
}
