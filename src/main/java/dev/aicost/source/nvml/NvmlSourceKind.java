package dev.aicost.source.nvml;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceException;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.NvmlConfig;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sources.nvml}: one GPU source per {@code enabled}. {@code auto} uses NVML when the library
 * loads (and says once, at info, when it does not), {@code true} keeps trying and reports the
 * failure as collector health, {@code false} never loads it.
 */
public final class NvmlSourceKind implements SourceKind {
  public static final String SECTION = "sources.nvml";
  private static final Logger log = LoggerFactory.getLogger(NvmlSourceKind.class);

  @Override
  public String section() {
    return SECTION;
  }

  @Override
  public List<Source> create(SourceSetup setup) {
    NvmlConfig cfg = setup.config().sources().nvml();
    switch (cfg.enabled()) {
      case "false":
        return List.of();
      case "true":
        return List.of(NvmlGpuSource.fromConfig(cfg, setup.deployments()));
      default:
        try {
          NvmlLibrary lib = NvmlLibrary.load(cfg.library());
          return List.of(NvmlGpuSource.fromConfig(() -> lib, cfg, setup.deployments()));
        } catch (SourceException e) {
          log.info(
              "event=nvml_unavailable enabled=auto reason={} effect=\"no GPU metrics; deployments priced by gpu_count\"",
              e.reason());
          return List.of();
        }
    }
  }
}
