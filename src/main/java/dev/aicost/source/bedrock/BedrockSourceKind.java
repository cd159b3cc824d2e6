package dev.aicost.source.bedrock;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.BedrockSourceConfig;
import dev.aicost.source.aws.AwsClients;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * {@code sources.bedrock}: one source per region, each with its own CloudWatch client, thread and
 * health, so a region that is down or denied leaves the others counting.
 */
public final class BedrockSourceKind implements SourceKind {
  public static final String SECTION = "sources.bedrock";

  private final Supplier<AwsCredentialsProvider> credentials;
  private final String endpoint;
  private final String controlEndpoint;
  private final BedrockSourceConfig fallback;

  /** The SDK's default credential chain, the endpoint from the configuration. */
  public BedrockSourceKind() {
    this(AwsClients::defaultCredentials, null);
  }

  /**
   * @param endpoint overrides the configured endpoint when not null (the demo's fake CloudWatch)
   */
  public BedrockSourceKind(Supplier<AwsCredentialsProvider> credentials, String endpoint) {
    this(credentials, endpoint, null);
  }

  /**
   * @param fallback the section used when the configuration has none (the demo reads its fake
   *     CloudWatch even without {@code sources.bedrock})
   */
  public BedrockSourceKind(
      Supplier<AwsCredentialsProvider> credentials, String endpoint, BedrockSourceConfig fallback) {
    this(credentials, endpoint, null, fallback);
  }

  /**
   * @param controlEndpoint overrides the configured control plane endpoint when not null (the
   *     demo's fake GetInferenceProfile)
   */
  public BedrockSourceKind(
      Supplier<AwsCredentialsProvider> credentials,
      String endpoint,
      String controlEndpoint,
      BedrockSourceConfig fallback) {
    this.credentials = credentials;
    this.endpoint = endpoint;
    this.controlEndpoint = controlEndpoint;
    this.fallback = fallback;
  }

  @Override
  public String section() {
    return SECTION;
  }

  @Override
  public List<Source> create(SourceSetup setup) {
    BedrockSourceConfig cfg = setup.config().sources().bedrock();
    if (cfg == null) cfg = fallback;
    if (cfg == null) return List.of();
    AwsCredentialsProvider creds = credentials.get();
    List<Source> sources = new ArrayList<>();
    for (String region : cfg.regions()) {
      sources.add(
          new BedrockSource(
              settings(cfg, region, setup.config().limits().maxModelsPerSource()),
              AwsClients.cloudWatch(region, endpoint != null ? endpoint : cfg.endpoint(), creds),
              profiles(cfg, region, creds)));
    }
    return sources;
  }

  private InferenceProfiles profiles(
      BedrockSourceConfig cfg, String region, AwsCredentialsProvider creds) {
    if (!cfg.resolveProfiles()) return InferenceProfiles.off(region);
    String control = controlEndpoint != null ? controlEndpoint : cfg.controlEndpoint();
    return new InferenceProfiles(
        AwsClients.bedrock(region, control, creds),
        region,
        cfg.discoveryInterval(),
        InferenceProfiles.MAX_LOOKUPS_PER_POLL);
  }

  static BedrockSource.Settings settings(BedrockSourceConfig cfg, String region, int maxModels) {
    return new BedrockSource.Settings(
        region,
        cfg.interval(),
        cfg.window(),
        cfg.backfill(),
        cfg.discoveryInterval(),
        cfg.modelIds(),
        cfg.pricePerThousandMetrics() / 1000.0,
        maxModels);
  }
}
