package dev.aicost.pricing;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Rough on-demand cloud prices per GPU-hour (late 2025), used only when neither the deployment nor
 * {@code pricing.gpus} gives one. Exposed with {@code price_source="default"} so nobody mistakes
 * them for a bill. Patterns run against NVML names ("NVIDIA H100 80GB HBM3", "NVIDIA
 * A100-SXM4-80GB", "Tesla T4"), first match wins, so more specific families come first.
 */
final class DefaultGpuPrices {
  /** Price when the GPU is unknown or unnamed. */
  static final double UNKNOWN_USD = 2.00;

  private record Row(String family, Pattern pattern, double hourlyUsd) {}

  private static final List<Row> ROWS =
      List.of(
          row("H200", "H200", 3.70),
          // AWS p5 is ~3.9 per GPU; other clouds and marketplaces sit lower
          row("H100", "H100", 3.00),
          row("A100 80GB", "A100.*80\\s*GB", 2.00),
          row("A100 40GB", "A100", 1.50),
          row("L40S", "L40S", 1.40),
          row("A10G", "\\bA10G\\b", 1.00),
          row("L4", "\\bL4\\b", 0.80),
          row("T4", "\\bT4\\b", 0.50));

  private DefaultGpuPrices() {}

  private static Row row(String family, String regex, double usd) {
    return new Row(family, Pattern.compile(regex, Pattern.CASE_INSENSITIVE), usd);
  }

  /** The estimate for a GPU name, or empty when no family matches. */
  static Optional<Double> forName(String gpuName) {
    if (gpuName == null) return Optional.empty();
    return ROWS.stream()
        .filter(r -> r.pattern().matcher(gpuName).find())
        .map(Row::hourlyUsd)
        .findFirst();
  }
}
