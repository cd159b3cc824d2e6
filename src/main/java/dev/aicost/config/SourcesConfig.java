package dev.aicost.config;

import java.util.List;

/**
 * {@code sources:} every upstream the exporter reads. A section that is absent (null) is off,
 * except {@code nvml}, which defaults to auto.
 */
public record SourcesConfig(
    List<VllmSourceConfig> vllm,
    NvmlConfig nvml,
    ManagedApiSourceConfig openai,
    ManagedApiSourceConfig anthropic,
    BedrockSourceConfig bedrock,
    CostExplorerConfig awsCostExplorer,
    VllmDiscoveryConfig vllmDiscovery) {

  public SourcesConfig {
    vllm = ConfigCopies.list(vllm);
    nvml = nvml != null ? nvml : new NvmlConfig(null, null, null);
  }

  public SourcesConfig(List<VllmSourceConfig> vllm, NvmlConfig nvml) {
    this(vllm, nvml, null, null, null, null, null);
  }
}
