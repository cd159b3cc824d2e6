package dev.aicost.config;

import java.util.Map;

/**
 * One GPU hourly price, matched by the GPU name as NVML reports it ({@code match: {name: ...}}).
 */
public record GpuPriceConfig(Map<String, String> match, Double hourlyUsd) {
  public GpuPriceConfig {
    match = ConfigCopies.map(match);
  }
}
