package dev.aicost.config;

import java.util.List;

/** {@code sources:} every upstream the exporter reads. */
public record SourcesConfig(List<VllmSourceConfig> vllm, NvmlConfig nvml) {
  public SourcesConfig {
    vllm = vllm != null ? List.copyOf(vllm) : List.of();
    nvml = nvml != null ? nvml : new NvmlConfig(null, null, null);
  }
}
