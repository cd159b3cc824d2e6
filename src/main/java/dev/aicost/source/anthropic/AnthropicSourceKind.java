package dev.aicost.source.anthropic;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.metrics.BuildInfo;
import dev.aicost.source.AdminKey;
import java.util.List;
import okhttp3.OkHttpClient;

/** {@code sources.anthropic}: the Admin API's usage and cost reports; off when absent. */
public final class AnthropicSourceKind implements SourceKind {
  public static final String SECTION = "sources.anthropic";

  @Override
  public String section() {
    return SECTION;
  }

  @Override
  public List<Source> create(SourceSetup setup) {
    ManagedApiSourceConfig cfg = setup.config().sources().anthropic();
    if (cfg == null) return List.of();
    return List.of(source(cfg, AdminKey.from(cfg), setup.http()));
  }

  /** A source reading {@code cfg.base_url} with the key from {@code key} (the demo's is fixed). */
  public static AnthropicSource source(
      ManagedApiSourceConfig cfg, AdminKey key, OkHttpClient http) {
    AdminApiClient client =
        new AdminApiClient(http, cfg.baseUrl(), key, cfg.timeout(), userAgent());
    return new AnthropicSource(cfg, client, client.target());
  }

  static String userAgent() {
    return "aicost-exporter/"
        + BuildInfo.load().version()
        + " (Prometheus exporter; polls the Anthropic usage and cost reports)";
  }
}
