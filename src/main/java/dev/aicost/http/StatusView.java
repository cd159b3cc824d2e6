package dev.aicost.http;

import dev.aicost.collect.CollectorHealth;
import java.util.List;

/** What the status page and the JSON status show; built from state without secrets. */
public interface StatusView {
  List<CollectorHealth> collectors();

  /** Source name -> what it reads, with any credentials already removed. */
  java.util.Map<String, String> targets();

  boolean demo();

  String version();

  String configFile();

  /** Totals since the ledger began; keys are snake_case names (the JSON API's keys). */
  java.util.Map<String, Double> totals();

  /** The exporter's clock, for relative times. */
  default java.time.Instant now() {
    return java.time.Instant.now();
  }

  /** When the exporter started. */
  default java.time.Instant startedAt() {
    return null;
  }

  /** The last configuration load or reload: outcome, when, and its message (never a secret). */
  record Reload(boolean ok, java.time.Instant at, String message) {}

  default Reload lastReload() {
    return null;
  }

  /** The ledger file, and its size in bytes (-1 when unknown). */
  default String ledgerPath() {
    return null;
  }

  default long ledgerBytes() {
    return -1;
  }

  /** One GPU as the status page lists it; price source {@code default} means an estimate. */
  record Gpu(
      String index,
      String uuid,
      String name,
      String deployment,
      double hourlyUsd,
      String priceSource) {}

  default List<Gpu> gpus() {
    return List.of();
  }

  /** Budgets and movers from the ledger (null when the exporter has none, as in some tests). */
  default dev.aicost.budget.BudgetService budgets() {
    return null;
  }

  /** The demo's traffic multiplier; NaN outside the demo. */
  default double demoLoadFactor() {
    return Double.NaN;
  }
}
