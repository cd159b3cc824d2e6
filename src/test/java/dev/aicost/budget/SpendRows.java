package dev.aicost.budget;

import dev.aicost.ledger.Increment;
import dev.aicost.ledger.Ledger;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Synthetic usage written through the real {@link Ledger#commit}, as the accountant writes it. */
final class SpendRows {
  private final List<Increment> pending = new ArrayList<>();

  /** Labels of a family with the given values, every other label empty. */
  static List<String> labels(Family f, Map<String, String> values) {
    List<String> l = new ArrayList<>();
    for (String name : f.labelNames()) l.add(values.getOrDefault(name, ""));
    return l;
  }

  SpendRows add(Family f, Map<String, String> labels, double amount, Instant at) {
    pending.add(new Increment(f, labels(f, labels), amount, at));
    return this;
  }

  SpendRows spend(Map<String, String> labels, double usd, Instant at) {
    return add(Metrics.SPEND, labels, usd, at);
  }

  /** {@code usdPerHour} spread over [from, to) in quarter-hour slices. */
  SpendRows spendEvenly(Map<String, String> labels, double usdPerHour, Instant from, Instant to) {
    for (Instant t = from; t.isBefore(to); t = t.plus(Duration.ofMinutes(15)))
      spend(labels, usdPerHour / 4, t);
    return this;
  }

  void commitTo(Ledger ledger) throws Exception {
    ledger.commit("synthetic", List.copyOf(pending), null, Instant.now());
    pending.clear();
  }
}
