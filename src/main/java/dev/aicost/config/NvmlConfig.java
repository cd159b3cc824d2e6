package dev.aicost.config;

import java.time.Duration;

/** {@code sources.nvml:} {@code enabled} is auto (on when the library loads), true or false. */
public record NvmlConfig(String enabled, String library, Duration sampleInterval) {
  public NvmlConfig {
    enabled = enabled != null ? enabled : "auto";
    sampleInterval = sampleInterval != null ? sampleInterval : Duration.ofSeconds(1);
  }
}
