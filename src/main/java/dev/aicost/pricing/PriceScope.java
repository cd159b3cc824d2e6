package dev.aicost.pricing;

import java.util.Locale;
import java.util.Map;

/**
 * How a usage record was served, as far as its price depends on it: the tier (standard, batch,
 * flex, priority, or a raw tier nobody publishes a price for), Anthropic's long-context window,
 * one-hour cache writes, and the Bedrock region / inference profile. Read from the exact {@code
 * UsageDelta.sourceIds()} keys the managed sources emit.
 *
 * @param tier {@link #STANDARD_TIER}, {@code batch}, {@code flex}, {@code priority}, or the raw
 *     lowercase value of a tier without a known rule (e.g. {@code scale})
 * @param longContext the request's input was above the model's standard window (Anthropic {@code
 *     context_window} "200k-1M")
 * @param oneHourCacheWrite the record's cache writes are all one-hour writes ({@code cache_ttl=1h})
 * @param region Bedrock region, "" when unknown or not Bedrock
 * @param inferenceProfile Bedrock inference profile, "" when none
 */
public record PriceScope(
    String tier,
    boolean longContext,
    boolean oneHourCacheWrite,
    String region,
    String inferenceProfile) {
  public static final String STANDARD_TIER = "standard";
  public static final String BATCH = "batch";
  public static final String FLEX = "flex";
  public static final String PRIORITY = "priority";
  public static final String LONG_CONTEXT = "long_context";

  /** Standard tier, no long context, five-minute cache writes, any region. */
  public static final PriceScope STANDARD = new PriceScope(STANDARD_TIER, false, false, "", "");

  // the sourceIds keys (conventions shared with the managed sources)
  static final String KEY_SERVICE_TIER = "service_tier";
  static final String KEY_BATCH = "batch";
  static final String KEY_CONTEXT_WINDOW = "context_window";
  static final String KEY_CACHE_TTL = "cache_ttl";
  static final String KEY_REGION = "region";
  static final String KEY_INFERENCE_PROFILE = "inference_profile";

  public PriceScope {
    tier = tier == null || tier.isBlank() ? STANDARD_TIER : tier;
    region = region == null ? "" : region.trim().toLowerCase(Locale.ROOT);
    inferenceProfile = inferenceProfile == null ? "" : inferenceProfile.trim();
  }

  /** The scope a record's source ids describe; ids it does not know leave the standard scope. */
  public static PriceScope of(Map<String, String> sourceIds) {
    if (sourceIds == null || sourceIds.isEmpty()) return STANDARD;
    String tier =
        "true".equalsIgnoreCase(trim(sourceIds.get(KEY_BATCH)))
            ? BATCH
            : tierOf(sourceIds.get(KEY_SERVICE_TIER));
    return new PriceScope(
        tier,
        isLongContext(sourceIds.get(KEY_CONTEXT_WINDOW)),
        "1h".equalsIgnoreCase(trim(sourceIds.get(KEY_CACHE_TTL))),
        sourceIds.get(KEY_REGION),
        sourceIds.get(KEY_INFERENCE_PROFILE));
  }

  public boolean isStandard() {
    return STANDARD_TIER.equals(tier) && !longContext;
  }

  /**
   * OpenAI reports {@code default} (and {@code auto} before it picks), Anthropic {@code standard}
   * or {@code standard_only}: all the list price. Other values stay as reported.
   */
  static String tierOf(String raw) {
    String t = trim(raw).toLowerCase(Locale.ROOT);
    return switch (t) {
      case "", "default", "auto", "standard", "standard_only", "on_demand" -> STANDARD_TIER;
      default -> t;
    };
  }

  /**
   * Anthropic's {@code context_window} is a range such as "0-200k" or "200k-1M": any range that
   * does not start at 0 is above the standard window.
   */
  static boolean isLongContext(String raw) {
    String w = trim(raw);
    return !w.isEmpty() && !w.startsWith("0");
  }

  private static String trim(String s) {
    return s == null ? "" : s.trim();
  }
}
