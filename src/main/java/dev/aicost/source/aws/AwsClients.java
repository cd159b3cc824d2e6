package dev.aicost.source.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.costexplorer.CostExplorerClient;

/**
 * Builds the AWS SDK clients the AWS sources use: the JDK's HTTP client (no Apache, no Netty event
 * loop), the SDK's standard retries (backoff, throttling honoured), bounded call time, and an
 * optional endpoint override (VPC endpoints, tests, the demo).
 */
public final class AwsClients {
  /** One attempt; the SDK retries throttling and 5xx with backoff within {@link #CALL_TIMEOUT}. */
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(20);

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private AwsClients() {}

  /** The SDK's default chain: env, system properties, profile, web identity, container, IMDS. */
  public static AwsCredentialsProvider defaultCredentials() {
    return DefaultCredentialsProvider.builder().build();
  }

  public static CloudWatchClient cloudWatch(
      String region, String endpoint, AwsCredentialsProvider credentials) {
    return build(CloudWatchClient.builder(), Region.of(region), endpoint, credentials);
  }

  /** The Bedrock control plane (GetInferenceProfile), not the runtime that serves inference. */
  public static BedrockClient bedrock(
      String region, String endpoint, AwsCredentialsProvider credentials) {
    return build(BedrockClient.builder(), Region.of(region), endpoint, credentials);
  }

  public static CostExplorerClient costExplorer(
      String endpoint, AwsCredentialsProvider credentials) {
    // Cost Explorer has one endpoint, in us-east-1, whatever region the usage is in
    return build(CostExplorerClient.builder(), Region.US_EAST_1, endpoint, credentials);
  }

  /** Every client the same way: our HTTP client, retries and time limits, optional endpoint. */
  private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(
      B b, Region region, String endpoint, AwsCredentialsProvider credentials) {
    b.region(region)
        .credentialsProvider(credentials)
        .httpClient(http())
        .overrideConfiguration(overrides());
    if (endpoint != null) b.endpointOverride(URI.create(endpoint));
    return b.build();
  }

  private static SdkHttpClient http() {
    return UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(10))
        .socketTimeout(ATTEMPT_TIMEOUT)
        .build();
  }

  private static ClientOverrideConfiguration overrides() {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(RetryMode.STANDARD)
        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
        .apiCallTimeout(CALL_TIMEOUT)
        .build();
  }
}
