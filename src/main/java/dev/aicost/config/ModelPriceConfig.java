package dev.aicost.config;

import java.time.LocalDate;

/**
 * One inline token price. Amounts are USD per {@code unit} ({@code per_1m} default, {@code per_1k},
 * {@code per_token}); absent types are unknown, not free.
 */
public record ModelPriceConfig(
    String provider,
    String model,
    Double input,
    Double output,
    Double cacheRead,
    Double cacheWrite,
    String unit,
    LocalDate effectiveFrom) {

  public ModelPriceConfig {
    unit = unit != null ? unit : "per_1m";
  }
}
