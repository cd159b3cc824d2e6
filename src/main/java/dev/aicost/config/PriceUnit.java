package dev.aicost.config;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The {@code unit} of an inline price: how many tokens the configured amount buys. */
public enum PriceUnit {
  PER_1M("per_1m", 1_000_000d),
  PER_1K("per_1k", 1_000d),
  PER_TOKEN("per_token", 1d);

  private final String key;
  private final double tokens;

  PriceUnit(String key, double tokens) {
    this.key = key;
    this.tokens = tokens;
  }

  public String key() {
    return key;
  }

  /**
   * USD per token for an amount in this unit; null stays null (unknown). Divided as the decimal
   * that was written (0.8 per 1M is 8.0E-7, not the binary quotient 8.000000000000001E-7).
   */
  public Double perToken(Double amount) {
    if (amount == null) return null;
    return BigDecimal.valueOf(amount).divide(BigDecimal.valueOf(tokens)).doubleValue();
  }

  public static Optional<PriceUnit> fromKey(String key) {
    return Arrays.stream(values()).filter(u -> u.key.equals(key)).findFirst();
  }

  public static List<String> keys() {
    return Arrays.stream(values()).map(PriceUnit::key).toList();
  }
}
