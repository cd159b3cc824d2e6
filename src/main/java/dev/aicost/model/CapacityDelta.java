package dev.aicost.model;

import java.time.Instant;

/**
 * Time a self-hosted deployment held its GPUs, over [start, end). Pricing turns it into dollars
 * (gpu_count x hourly price x seconds) and allocates them to the deployment's models by token
 * share.
 *
 * @param gpuHourlyUsd the deployment's {@code gpu_hourly_usd} as the source was configured, or null
 *     (then {@code pricing.gpus} by {@code gpuName}, else the default table)
 * @param gpuName the deployment's {@code gpu_name}, or null
 */
public record CapacityDelta(
    Instant start,
    Instant end,
    String provider,
    String service,
    String deployment,
    int gpuCount,
    Double gpuHourlyUsd,
    String gpuName) {

  public double seconds() {
    return Math.max(0, (end.toEpochMilli() - start.toEpochMilli()) / 1000.0);
  }
}
