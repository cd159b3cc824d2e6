package dev.aicost.config;

import java.time.LocalDate;

/**
 * One inline token price. Amounts are USD per {@code unit} ({@code per_1m} default, {@code per_1k},
 * {@code per_token}); absent types are unknown, not free. {@code region} and {@code profile} scope
 * a Bedrock price to one region and/or inference-profile scope ({@code global}, {@code geo} or one
 * geography such as {@code us}); null means any.
 */
public record ModelPriceConfig(
    String provider,
    String model,
    Double input,
    Double output,
    Double cacheRead,
    Double cacheWrite,
    String unit,
    LocalDate effectiveFrom,
    String region,
    String profile) {

  public ModelPriceConfig {
    unit = unit != null ? unit : "per_1m";
  }

  /** A price for every region and profile. */
  public ModelPriceConfig(
      String provider,
      String model,
      Double input,
      Double output,
      Double cacheRead,
      Double cacheWrite,
      String unit,
      LocalDate effectiveFrom) {
    this(provider, model, input, output, cacheRead, cacheWrite, unit, effectiveFrom, null, null);
  }
}
