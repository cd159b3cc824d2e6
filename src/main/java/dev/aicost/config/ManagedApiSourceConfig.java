package dev.aicost.config;

import java.time.Duration;

/**
 * {@code sources.openai:} / {@code sources.anthropic:} an organisation's usage and cost admin API.
 * The section is off when absent. The admin key comes from an environment variable or a file, never
 * from this file.
 *
 * @param adminKeyEnv environment variable holding the admin key
 * @param adminKeyFile file holding the admin key (alternative to {@code admin_key_env})
 * @param interval how often the usage endpoints are polled, default 5m
 * @param baseUrl the API root (with or without a trailing {@code /v1}); null for the provider's
 *     public API
 * @param bucketWidth {@code 1m} or {@code 1h} usage buckets, default {@code 1h}
 * @param window the trailing window re-read every poll (buckets grow late), default 2h
 * @param backfill how far back the first poll (no checkpoint) reads, default 24h
 * @param timeout per HTTP call, default 30s
 */
public record ManagedApiSourceConfig(
    String adminKeyEnv,
    String adminKeyFile,
    Duration interval,
    String baseUrl,
    String bucketWidth,
    Duration window,
    Duration backfill,
    Duration timeout) {

  public ManagedApiSourceConfig {
    interval = interval != null ? interval : Duration.ofMinutes(5);
    bucketWidth = bucketWidth != null ? bucketWidth : "1h";
    window = window != null ? window : Duration.ofHours(2);
    backfill = backfill != null ? backfill : Duration.ofHours(24);
    timeout = timeout != null ? timeout : Duration.ofSeconds(30);
  }
}
