package dev.aicost.model;

import java.time.Instant;
import java.util.Map;

/**
 * Usage observed by a source over [start, end): emitted exactly once per unit of usage.
 *
 * @param sourceIds ids the source knows beyond the fixed dimensions (project_id, api_key_id,
 *     workspace_id, ...), used only by attribution rules, never exposed as labels directly
 * @param history usage from before the exporter watched the upstream (a first read's counters): it
 *     counts in the totals, never in a rate or ratio window, since the dollars that paid for it are
 *     not booked
 * @param cacheKnown whether the source could tell cache reads apart: when false, cache_read is 0
 *     because it is unknown (not because nothing hit), and the usage stays out of cache-hit ratios
 */
public record UsageDelta(
    Instant start,
    Instant end,
    String provider,
    String service,
    String deployment,
    String model,
    Map<String, String> sourceIds,
    TokenCounts tokens,
    long requests,
    boolean history,
    boolean cacheKnown) {

  /** Usage the exporter watched happen, with its cache reads known. */
  public UsageDelta(
      Instant start,
      Instant end,
      String provider,
      String service,
      String deployment,
      String model,
      Map<String, String> sourceIds,
      TokenCounts tokens,
      long requests) {
    this(
        start, end, provider, service, deployment, model, sourceIds, tokens, requests, false, true);
  }

  public UsageDelta {
    sourceIds = Map.copyOf(sourceIds);
    if (requests < 0) throw new IllegalArgumentException("requests must not be negative");
  }
}
