package dev.aicost.config;

import java.time.Duration;

/**
 * {@code sources.aws_cost_explorer:} daily billed AWS spend (GetCostAndUsage). Off by default: each
 * request costs $0.01.
 *
 * @param enabled default false
 * @param interval default 6h
 * @param endpoint Cost Explorer endpoint override (tests, the demo); null for AWS's
 */
public record CostExplorerConfig(Boolean enabled, Duration interval, String endpoint) {
  public CostExplorerConfig {
    enabled = enabled != null ? enabled : false;
    interval = interval != null ? interval : Duration.ofHours(6);
  }
}
