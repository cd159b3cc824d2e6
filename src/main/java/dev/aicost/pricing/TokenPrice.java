package dev.aicost.pricing;

import dev.aicost.model.TokenType;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Per-token USD prices of one model from one date on. A null price means unknown, never free: usage
 * of that type stays unpriced and is counted as such.
 *
 * @param source {@code builtin}, {@code file} or {@code config} (the {@code price_source} label)
 * @param provider provider of the catalog entry ({@code openai}, {@code anthropic}, {@code aws},
 *     ...)
 * @param model the catalog key the lookup resolved to, lowercase
 * @param effectiveFrom first UTC day this price applies; {@link #ALWAYS} for undated prices
 */
public record TokenPrice(
    Double input,
    Double cacheRead,
    Double cacheWrite,
    Double output,
    String source,
    String provider,
    String model,
    LocalDate effectiveFrom) {

  /** Effective date of undated prices (LiteLLM files, inline prices without effective_from). */
  public static final LocalDate ALWAYS =
      LocalDate.EPOCH; // config.PricingValidation keys duplicates the same way

  public TokenPrice {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    effectiveFrom = effectiveFrom != null ? effectiveFrom : ALWAYS;
  }

  /** USD per token of type {@code t}, or null when this model has no known price for it. */
  public Double forType(TokenType t) {
    return switch (t) {
      case INPUT -> input;
      case CACHE_READ -> cacheRead;
      case CACHE_WRITE -> cacheWrite;
      case OUTPUT -> output;
    };
  }

  /** True when at least one token type has a price. */
  public boolean hasAnyPrice() {
    return input != null || cacheRead != null || cacheWrite != null || output != null;
  }
}
