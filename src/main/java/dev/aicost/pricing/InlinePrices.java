package dev.aicost.pricing;

import dev.aicost.config.ModelPriceConfig;
import dev.aicost.config.PriceUnit;
import dev.aicost.metrics.LabelValues;
import java.util.List;
import java.util.Map;

/** {@code pricing.models}: prices written in the config, converted to USD per token. */
public final class InlinePrices {
  static final String SOURCE = LabelValues.PRICE_CONFIG;

  private InlinePrices() {}

  /**
   * Converts validated entries (see {@link dev.aicost.config.PricingValidation}); an entry the
   * validator would reject throws {@link IllegalArgumentException}.
   */
  public static List<TokenPrice> from(List<ModelPriceConfig> models) {
    return models.stream().map(InlinePrices::toTokenPrice).toList();
  }

  private static TokenPrice toTokenPrice(ModelPriceConfig m) {
    PriceUnit unit =
        PriceUnit.fromKey(m.unit())
            .orElseThrow(() -> new IllegalArgumentException("unknown price unit " + m.unit()));
    if (m.provider() == null || m.model() == null) {
      throw new IllegalArgumentException("inline price needs provider and model");
    }
    return new TokenPrice(
        unit.perToken(m.input()),
        unit.perToken(m.cacheRead()),
        unit.perToken(m.cacheWrite()),
        unit.perToken(m.output()),
        SOURCE,
        m.provider(),
        m.model(),
        m.effectiveFrom(),
        null,
        Map.of(),
        m.region(),
        m.profile(),
        null);
  }
}
