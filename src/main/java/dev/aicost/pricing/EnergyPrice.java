package dev.aicost.pricing;

import dev.aicost.config.EnergyConfig;
import java.util.Optional;

/**
 * Price of electricity at the wall: dollars = joules / 3.6e6 x usd_per_kwh x pue (PUE adds the
 * cooling and power-delivery overhead to what the GPU itself drew).
 */
public record EnergyPrice(double usdPerKwh, double pue) {
  private static final double JOULES_PER_KWH = 3.6e6;

  /**
   * Empty when {@code pricing.energy} or its {@code usd_per_kwh} is absent: then energy costs no
   * dollars.
   */
  public static Optional<EnergyPrice> from(EnergyConfig cfg) {
    if (cfg == null || cfg.usdPerKwh() == null) return Optional.empty();
    return Optional.of(new EnergyPrice(cfg.usdPerKwh(), cfg.pue()));
  }

  public double usdFor(double joules) {
    return joules / JOULES_PER_KWH * usdPerKwh * pue;
  }
}
