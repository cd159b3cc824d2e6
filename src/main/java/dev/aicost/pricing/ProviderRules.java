package dev.aicost.pricing;

import java.util.Map;

/**
 * Flat rules a provider publishes for every model, used when a price row has no explicit rate for
 * the tier: OpenAI and Anthropic price the Batch API at 50 % of the standard rates (all token
 * types), Anthropic one-hour cache writes at 2x the input rate. Nothing is guessed for other
 * providers or tiers (flex, priority): without a published rate their usage stays unpriced.
 */
final class ProviderRules {
  private static final Map<String, Double> BATCH_FACTOR = Map.of("openai", 0.5, "anthropic", 0.5);
  private static final Map<String, Double> ONE_HOUR_WRITE_X_INPUT = Map.of("anthropic", 2.0);

  private ProviderRules() {}

  /** The batch discount factor the provider states for all its models, or null. */
  static Double batchFactor(String provider) {
    return BATCH_FACTOR.get(provider);
  }

  /** One-hour cache write price as a multiple of the input price, or null. */
  static Double oneHourWriteFactor(String provider) {
    return ONE_HOUR_WRITE_X_INPUT.get(provider);
  }
}
