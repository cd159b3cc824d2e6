package dev.aicost;

import dev.aicost.collect.SourceKind;
import dev.aicost.demo.Demo;
import dev.aicost.source.anthropic.AnthropicSourceKind;
import dev.aicost.source.bedrock.BedrockSourceKind;
import dev.aicost.source.costexplorer.CostExplorerSourceKind;
import dev.aicost.source.k8s.VllmDiscoverySourceKind;
import dev.aicost.source.nvml.NvmlSourceKind;
import dev.aicost.source.openai.OpenAiSourceKind;
import dev.aicost.source.vllm.VllmSourceKind;
import java.util.List;

/**
 * Every kind of source, one line each (like node_exporter's collector registry): a new kind is its
 * own package with a {@link SourceKind} plus one line here.
 */
final class SourceRegistry {
  static final List<SourceKind> KINDS =
      List.of(
          new VllmSourceKind(),
          new NvmlSourceKind(),
          new OpenAiSourceKind(),
          new AnthropicSourceKind(),
          new BedrockSourceKind(),
          new CostExplorerSourceKind(),
          new VllmDiscoverySourceKind());

  private SourceRegistry() {}

  /**
   * The kinds in effect: with {@code --demo}, its simulated GPUs stand in for NVML unless a library
   * is configured, its simulated OpenAI organisation for an absent {@code sources.openai}, its
   * simulated Anthropic Admin API for an absent {@code sources.anthropic}, and Bedrock is read from
   * its simulated CloudWatch.
   */
  static List<SourceKind> kinds(Demo demo, String nvmlLibrary) {
    if (demo == null) return KINDS;
    return KINDS.stream()
        .map(
            k -> {
              if (k.section().equals(NvmlSourceKind.SECTION) && nvmlLibrary == null)
                return demo.gpuKind(NvmlSourceKind.SECTION);
              if (k.section().equals(OpenAiSourceKind.SECTION)) return demo.openAiKind();
              if (k.section().equals(AnthropicSourceKind.SECTION)) return demo.anthropicKind(k);
              if (k.section().equals(BedrockSourceKind.SECTION)) return demo.bedrockKind();
              return k;
            })
        .toList();
  }
}
