package dev.aicost.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code sources.bedrock:} Amazon Bedrock usage from CloudWatch ({@code AWS/Bedrock}). Off when
 * absent. Credentials come from the AWS SDK's default chain.
 *
 * @param regions regions to read, default {@code [us-east-1]}
 * @param interval how often GetMetricData is called (never per scrape), default 60s
 * @param window trailing window re-read every poll (CloudWatch revises recent minutes), default 15m
 * @param endpoint CloudWatch endpoint override (VPC endpoints, tests, the demo); null for AWS's
 * @param modelIds ModelId values to read; null to discover them with ListMetrics
 * @param backfill how far back the very first poll reads, default 1h
 * @param discoveryInterval how long a ListMetrics answer is reused, default 1h
 * @param pricePerThousandMetrics what CloudWatch charges per 1,000 metrics requested, default 0.01
 *     USD
 * @param controlEndpoint Bedrock control plane endpoint override (GetInferenceProfile); null for
 *     AWS's ({@code endpoint} overrides CloudWatch only)
 * @param resolveProfiles resolve application inference profiles to their model with
 *     GetInferenceProfile so they are priced, default true (false: no control plane calls, their
 *     usage stays unpriced under the profile id)
 */
public record BedrockSourceConfig(
    List<String> regions,
    Duration interval,
    Duration window,
    String endpoint,
    List<String> modelIds,
    Duration backfill,
    Duration discoveryInterval,
    Double pricePerThousandMetrics,
    String controlEndpoint,
    Boolean resolveProfiles) {

  public BedrockSourceConfig {
    regions = regions != null ? ConfigCopies.list(regions) : List.of("us-east-1");
    interval = interval != null ? interval : Duration.ofSeconds(60);
    window = window != null ? window : Duration.ofMinutes(15);
    modelIds = modelIds != null ? ConfigCopies.list(modelIds) : null;
    backfill = backfill != null ? backfill : Duration.ofHours(1);
    discoveryInterval = discoveryInterval != null ? discoveryInterval : Duration.ofHours(1);
    pricePerThousandMetrics = pricePerThousandMetrics != null ? pricePerThousandMetrics : 0.01;
    resolveProfiles = resolveProfiles != null ? resolveProfiles : true;
  }

  public BedrockSourceConfig(
      List<String> regions,
      Duration interval,
      Duration window,
      String endpoint,
      List<String> modelIds) {
    this(regions, interval, window, endpoint, modelIds, null, null, null, null, null);
  }
}
