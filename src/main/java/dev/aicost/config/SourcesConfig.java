package dev.aicost.config;

import java.util.List;

/** {@code sources:} every upstream the exporter reads. */
public record SourcesConfig(List<VllmSourceConfig> vllm, NvmlConfig nvml) {
  public SourcesConfig {
    vllm = ConfigCopies.list(vllm);
    nvml = nvml != null ? nvml : new NvmlConfig(null, null, null);
  }
}
