package dev.aicost.model;

import java.time.Instant;
import java.util.Map;

/**
 * Usage observed by a source over [start, end): emitted exactly once per unit of usage.
 *
 * @param sourceIds ids the source knows beyond the fixed dimensions (project_id, api_key_id,
 *     workspace_id, ...), used only by attribution rules, never exposed as labels directly
 * @param history usage that happened before the exporter watched (a first read's counter history):
 *     it counts in the totals, never in a rate or ratio window, since nothing measured what it cost
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
    boolean history) {

  public UsageDelta(Instant start, Instant end, String provider, String service, String deployment, String model,
      Map<String, String> sourceIds, TokenCounts tokens, long requests) {
    this(start, end, provider, service, deployment, model, sourceIds, tokens, requests, false);
  }

  public UsageDelta {
    sourceIds = Map.copyOf(sourceIds);
    if (requests < 0) throw new IllegalArgumentException("requests must not be negative");
  }

  public boolean isEmpty() {
    return tokens.total() == 0 && requests == 0;
  }
}
