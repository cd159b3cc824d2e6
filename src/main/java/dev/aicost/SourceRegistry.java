package dev.aicost;

import dev.aicost.collect.SourceKind;
import dev.aicost.demo.Demo;
import dev.aicost.source.k8s.VllmDiscoverySourceKind;
import dev.aicost.source.nvml.NvmlSourceKind;
import dev.aicost.source.vllm.VllmSourceKind;
import java.util.List;

/**
 * Every kind of source, one line each (like node_exporter's collector registry): a new kind is its
 * own package with a {@link SourceKind} plus one line here.
 */
final class SourceRegistry {
  static final List<SourceKind> KINDS =
      List.of(new VllmSourceKind(), new NvmlSourceKind(), new VllmDiscoverySourceKind());

  private SourceRegistry() {}

  /**
   * The kinds in effect: with {@code --demo}, its simulated GPUs stand in for NVML unless a library
   * is configured.
   */
  static List<SourceKind> kinds(Demo demo, String nvmlLibrary) {
    if (demo == null || nvmlLibrary != null) return KINDS;
    return KINDS.stream()
        .map(
            k ->
                k.section().equals(NvmlSourceKind.SECTION)
                    ? demo.gpuKind(NvmlSourceKind.SECTION)
                    : k)
        .toList();
  }
}
