package dev.aicost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.aicost.collect.GpuSource;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.DemoConfig;
import dev.aicost.config.ExporterConfig;
import dev.aicost.demo.Demo;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The registry builds every configured source, and a GPU source is known by its interface. */
class SourceRegistryTest {
  private static final String DEPLOYMENTS =
      """
      sources:
        nvml: { enabled: %s }
        vllm:
          - { name: a, url: "http://user:s3cret@127.0.0.1:1/metrics", gpus: [ GPU-1 ] }
          - { name: b, url: "http://127.0.0.1:2/metrics", gpu_count: 2, gpu_hourly_usd: 1.5 }
      """;

  @Test
  void oneSourcePerDeploymentAndNvmlWhenEnabled() throws Exception {
    List<Source> off = build(SourceRegistry.KINDS, "false");
    assertEquals(List.of("vllm/a", "vllm/b"), off.stream().map(Source::name).toList());
    assertEquals(
        List.of("http://127.0.0.1:1/metrics", "http://127.0.0.1:2/metrics"),
        off.stream().map(Source::target).toList());

    // enabled: true builds the source even without the library: it retries and reports health
    List<Source> on = build(SourceRegistry.KINDS, "true");
    assertEquals(List.of("vllm/a", "vllm/b", "nvml"), on.stream().map(Source::name).toList());
    GpuSource gpu = assertInstanceOf(GpuSource.class, on.get(2));
    assertEquals(
        Set.of("a"),
        gpu.meteredDeployments(),
        "only the deployment with gpus: is priced by measured GPU time");
    assertEquals("NVML libnvidia-ml.so.1", gpu.target());
    on.forEach(Source::close);
  }

  @Test
  void demoGpusStandInForNvmlUnlessALibraryIsConfigured() throws Exception {
    try (Demo demo = new Demo(new DemoConfig(null, 3, null), Clock.systemUTC())) {
      List<SourceKind> kinds = SourceRegistry.kinds(demo, null);
      assertEquals(SourceRegistry.KINDS.size(), kinds.size());
      List<Source> built = build(kinds, "false");
      assertSame(demo.gpuSource(), built.get(2));
      assertEquals(
          Set.of("demo-llama", "demo-qwen", "demo-mistral"), demo.gpuSource().meteredDeployments());
      // and Bedrock from its simulated CloudWatch, without a sources.bedrock section
      assertEquals("bedrock/us-east-1", built.get(3).name());
      built.get(3).close();
      List<SourceKind> withLibrary = SourceRegistry.kinds(demo, "/opt/libnvidia-ml.so.1");
      assertSame(SourceRegistry.KINDS.get(1), withLibrary.get(1));
      assertSame(SourceRegistry.KINDS, SourceRegistry.kinds(null, null));
    }
  }

  private static List<Source> build(List<SourceKind> kinds, String nvml) throws Exception {
    ExporterConfig cfg = new ConfigLoader().parse(DEPLOYMENTS.formatted(nvml));
    SourceSetup setup = new SourceSetup(cfg, cfg.sources().vllm(), new OkHttpClient());
    List<Source> out = new ArrayList<>();
    for (SourceKind k : kinds) out.addAll(k.create(setup));
    return out;
  }
}
