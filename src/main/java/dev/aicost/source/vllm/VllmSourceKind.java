package dev.aicost.source.vllm;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.LimitsConfig;
import dev.aicost.config.VllmSourceConfig;
import java.util.ArrayList;
import java.util.List;

/** {@code sources.vllm}: one source per deployment in effect (configured, demo or autodetected). */
public final class VllmSourceKind implements SourceKind {
  public static final String SECTION = "sources.vllm";

  @Override
  public String section() {
    return SECTION;
  }

  @Override
  public List<Source> create(SourceSetup setup) {
    LimitsConfig limits = setup.config().limits();
    List<Source> sources = new ArrayList<>();
    for (VllmSourceConfig v : setup.deployments()) {
      sources.add(
          new VllmSource(
              v,
              setup.http(),
              limits.maxScrapeBytes().bytes(),
              limits.maxLabelValueLength(),
              limits.maxModelsPerSource()));
    }
    return sources;
  }
}
