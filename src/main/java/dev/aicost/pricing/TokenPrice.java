package dev.aicost.pricing;

import dev.aicost.model.TokenType;
import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;

/**
 * Per-token USD prices of one model from one date on. A null price means unknown, never free: usage
 * of that type stays unpriced and is counted as such.
 *
 * <p>The four flat prices are the standard tier; {@code tiers} holds the rates published for other
 * tiers ({@link PriceScope#BATCH}, {@link PriceScope#FLEX}, {@link PriceScope#PRIORITY}, {@link
 * PriceScope#LONG_CONTEXT}); {@link #forType(TokenType, PriceScope)} picks among them.
 *
 * @param source {@code builtin}, {@code file} or {@code config} (the {@code price_source} label)
 * @param provider provider of the catalog entry ({@code openai}, {@code anthropic}, {@code aws},
 *     ...)
 * @param model the catalog key the lookup resolved to, lowercase
 * @param effectiveFrom first UTC day this price applies; {@link #ALWAYS} for undated prices
 * @param cacheWrite1h standard-tier one-hour cache write price (Anthropic), null when unknown
 * @param tiers rates of the other tiers, by tier name; a tier absent here is unpublished
 * @param region the region this price is for ("" = any); a region's row wins over the any-region
 *     row
 * @param profile the Bedrock inference-profile scope this price is for ("" = any): {@code global},
 *     {@code geo} (any geographic cross-region profile) or one geography ({@code us}, {@code eu},
 *     {@code apac}, ...); see {@link PriceCatalog} for the order rows are chosen in
 * @param provenance where a built-in row was checked; null for files and config
 */
public record TokenPrice(
    Double input,
    Double cacheRead,
    Double cacheWrite,
    Double output,
    String source,
    String provider,
    String model,
    LocalDate effectiveFrom,
    Double cacheWrite1h,
    Map<String, Rates> tiers,
    String region,
    String profile,
    Provenance provenance) {

  /** Effective date of undated prices (LiteLLM files, inline prices without effective_from). */
  public static final LocalDate ALWAYS =
      LocalDate.EPOCH; // config.PricingValidation keys duplicates the same way

  public TokenPrice {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    effectiveFrom = effectiveFrom != null ? effectiveFrom : ALWAYS;
    tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
    region = region == null ? "" : region;
    profile = profile == null ? "" : profile;
  }

  /** A standard-tier price without tiers, region or provenance. */
  public TokenPrice(
      Double input,
      Double cacheRead,
      Double cacheWrite,
      Double output,
      String source,
      String provider,
      String model,
      LocalDate effectiveFrom) {
    this(
        input,
        cacheRead,
        cacheWrite,
        output,
        source,
        provider,
        model,
        effectiveFrom,
        null,
        Map.of(),
        "",
        "",
        null);
  }

  /** USD per token of type {@code t} at the standard tier, or null when unknown. */
  public Double forType(TokenType t) {
    return switch (t) {
      case INPUT -> input;
      case CACHE_READ -> cacheRead;
      case CACHE_WRITE -> cacheWrite;
      case OUTPUT -> output;
    };
  }

  /**
   * USD per token of type {@code t} under {@code scope}, or null when nobody publishes that rate:
   * the tier's own rates where the row has them, else the provider's flat rule (batch = 50 % for
   * OpenAI and Anthropic), else unknown. Long context uses the row's long-context rates (batch on
   * top of them by the provider's rule); one-hour cache writes their own rate (Anthropic: 2x
   * input).
   */
  public Double forType(TokenType t, PriceScope scope) {
    Rates r = rates(scope);
    return r == null ? null : r.forType(t, scope.oneHourCacheWrite());
  }

  /** The rates that apply under {@code scope}, or null when the tier's rates are unpublished. */
  public Rates rates(PriceScope scope) {
    Rates base = scope.longContext() ? tiers.get(PriceScope.LONG_CONTEXT) : standard();
    if (base == null) return null;
    Rates r;
    switch (scope.tier()) {
      case PriceScope.STANDARD_TIER -> r = base;
      case PriceScope.BATCH -> {
        Rates explicit = scope.longContext() ? null : tiers.get(PriceScope.BATCH);
        Double factor = ProviderRules.batchFactor(provider);
        Rates ruled =
            factor == null ? null : base.withOneHourWriteFrom(oneHourFactor()).scaled(factor);
        if (explicit == null && ruled == null) return null;
        r = explicit == null ? ruled : explicit.orElse(ruled);
      }
      default -> {
        // flex, priority, and anything else (scale, ...): only their own published rates
        if (scope.longContext()) return null;
        r = tiers.get(scope.tier());
        if (r == null) return null;
      }
    }
    return r.withOneHourWriteFrom(oneHourFactor());
  }

  /** The standard-tier rates. */
  public Rates standard() {
    return new Rates(input, cacheRead, cacheWrite, cacheWrite1h, output);
  }

  /** True when at least one token type has a price. */
  public boolean hasAnyPrice() {
    return input != null || cacheRead != null || cacheWrite != null || output != null;
  }

  private Double oneHourFactor() {
    return ProviderRules.oneHourWriteFactor(provider);
  }
}
