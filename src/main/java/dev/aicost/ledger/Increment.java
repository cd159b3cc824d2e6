package dev.aicost.ledger;

import dev.aicost.metrics.Family;
import java.time.Instant;
import java.util.List;

/** Add {@code amount} to one counter series; {@code at} picks the hourly row. */
public record Increment(Family family, List<String> labels, double amount, Instant at) {
  public Increment {
    labels = List.copyOf(labels);
    if (labels.size() != family.labelNames().size()) {
      throw new IllegalArgumentException(
          family.name() + " wants " + family.labelNames().size() + " labels, got " + labels.size());
    }
    if (!(amount >= 0) || Double.isInfinite(amount)) {
      throw new IllegalArgumentException(
          family.name() + ": increment must be finite and >= 0, got " + amount);
    }
  }
}
