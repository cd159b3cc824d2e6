package dev.aicost.source.openai;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.source.AdminKey;
import java.util.List;

/**
 * {@code sources.openai}: one source reading the organisation's usage and costs (none when the
 * section is absent). The admin key is read at every poll, so a missing one is the collector's
 * {@code config} error, not a failed start.
 */
public final class OpenAiSourceKind implements SourceKind {
  public static final String SECTION = "sources.openai";
  public static final String COLLECTOR = "openai";

  private final ManagedApiSourceConfig fixed;
  private final AdminKey fixedKey;

  public OpenAiSourceKind() {
    this(null, null);
  }

  private OpenAiSourceKind(ManagedApiSourceConfig fixed, AdminKey fixedKey) {
    this.fixed = fixed;
    this.fixedKey = fixedKey;
  }

  /**
   * A section given in-process, with its key (the demo's simulated endpoint), used only when the
   * configuration has no {@code sources.openai} of its own.
   */
  public static OpenAiSourceKind withDefault(ManagedApiSourceConfig cfg, AdminKey key) {
    return new OpenAiSourceKind(cfg, key);
  }

  @Override
  public String section() {
    return SECTION;
  }

  @Override
  public List<Source> create(SourceSetup setup) {
    ManagedApiSourceConfig cfg = setup.config().sources().openai();
    AdminKey key;
    if (cfg != null) {
      key = AdminKey.from(cfg);
    } else if (fixed != null) {
      cfg = fixed;
      key = fixedKey;
    } else {
      return List.of();
    }
    OpenAiUsageApi api =
        new HttpOpenAiUsageApi(
            setup.http(),
            cfg.baseUrl(),
            key,
            cfg.timeout(),
            setup.config().limits().maxScrapeBytes().bytes());
    return List.of(new OpenAiSource(COLLECTOR, cfg, api));
  }
}
