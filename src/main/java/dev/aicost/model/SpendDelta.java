package dev.aicost.model;

import java.time.Instant;
import java.util.Map;

/**
 * Dollars a bill states directly (not tokens times a price), for [start, end): e.g. a day of EC2
 * from Cost Explorer booked as {@code category="compute"}. Emitted exactly once per dollar: a
 * revised day emits only the difference. Booked at {@code start}, so a day lands in that day.
 *
 * @param sourceIds ids for attribution rules only (account, line item, ...), never labels directly
 */
public record SpendDelta(
    Instant start,
    Instant end,
    String provider,
    String service,
    String category,
    String deployment,
    String model,
    Map<String, String> sourceIds,
    double usd) {

  public SpendDelta {
    sourceIds = Map.copyOf(sourceIds);
    if (!(usd >= 0) || Double.isInfinite(usd)) {
      throw new IllegalArgumentException("usd must be finite and >= 0, got " + usd);
    }
  }
}
