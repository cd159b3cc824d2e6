package dev.aicost.config;

/** Energy price: dollars = joules / 3.6e6 x usd_per_kwh x pue. */
public record EnergyConfig(Double usdPerKwh, Double pue) {
  public EnergyConfig {
    pue = pue != null ? pue : 1.0;
  }
}
