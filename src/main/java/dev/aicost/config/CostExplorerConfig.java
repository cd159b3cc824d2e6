package dev.aicost.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code sources.aws_cost_explorer:} daily billed AWS spend (GetCostAndUsage). Off by default: each
 * request costs $0.01.
 *
 * @param enabled default false
 * @param interval default 6h
 * @param endpoint Cost Explorer endpoint override (tests, the demo); null for AWS's
 * @param window days re-read every poll (the bill is revised for days), default 7d; the very first
 *     poll reads this far back too
 * @param categories AWS service name (as Cost Explorer's SERVICE dimension says it) → spend
 *     category; default EC2 compute and "EC2 - Other" → compute, S3 → storage, data transfer →
 *     networking. Services not listed are bills only (reconciliation), never spend
 * @param pricePerRequest what one GetCostAndUsage request costs, default 0.01 USD
 */
public record CostExplorerConfig(
    Boolean enabled,
    Duration interval,
    String endpoint,
    Duration window,
    Map<String, String> categories,
    Double pricePerRequest) {

  public static final Map<String, String> DEFAULT_CATEGORIES = defaults();

  public CostExplorerConfig {
    enabled = enabled != null ? enabled : false;
    interval = interval != null ? interval : Duration.ofHours(6);
    window = window != null ? window : Duration.ofDays(7);
    categories = categories != null ? ConfigCopies.map(categories) : DEFAULT_CATEGORIES;
    pricePerRequest = pricePerRequest != null ? pricePerRequest : 0.01;
  }

  public CostExplorerConfig(Boolean enabled, Duration interval, String endpoint) {
    this(enabled, interval, endpoint, null, null, null);
  }

  private static Map<String, String> defaults() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("Amazon Elastic Compute Cloud - Compute", "compute");
    m.put("EC2 - Other", "compute");
    m.put("Amazon Simple Storage Service", "storage");
    m.put("AWS Data Transfer", "networking");
    return java.util.Collections.unmodifiableMap(m);
  }
}
