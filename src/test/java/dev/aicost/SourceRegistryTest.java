package dev.aicost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
      assertSame(
          demo.gpuSource(), built.stream().filter(x -> x instanceof GpuSource).findFirst().get());
      assertTrue(
          built.stream().anyMatch(x -> x.name().equals("openai")), "the demo's simulated OpenAI");
      assertEquals(
          Set.of("demo-llama", "demo-qwen", "demo-mistral"), demo.gpuSource().meteredDeployments());
      assertSame(
          SourceRegistry.KINDS.get(1), SourceRegistry.kinds(demo, "/opt/libnvidia-ml.so.1").get(1));
      // and Bedrock from its simulated CloudWatch, without a sources.bedrock section
      Source bedrock =
          built.stream()
              .filter(x -> x.name().equals("bedrock/us-east-1"))
              .findFirst()
              .orElseThrow();
      bedrock.close();
      assertSame(SourceRegistry.KINDS, SourceRegistry.kinds(null, null));
    }
  }

  @Test
  void demoAnthropicStandsInOnlyForAnAbsentSection() throws Exception {
    try (Demo demo = new Demo(new DemoConfig(null, 1, null), Clock.systemUTC())) {
      List<Source> built = build(SourceRegistry.kinds(demo, null), "false");
      Source simulated =
          built.stream().filter(x -> x.name().equals("anthropic")).findFirst().orElseThrow();
      assertTrue(simulated.target().startsWith("http://127.0.0.1:"), simulated.target());
      assertTrue(simulated.target().endsWith("/v1"), simulated.target());

      ExporterConfig cfg =
          new ConfigLoader()
              .parse(
                  "sources:\n  anthropic: { admin_key_env: K, base_url: \"https://proxy.example\" }\n");
      SourceSetup setup = new SourceSetup(cfg, List.of(), new OkHttpClient());
      List<Source> configured = new ArrayList<>();
      for (SourceKind k : SourceRegistry.kinds(demo, null)) configured.addAll(k.create(setup));
      assertEquals(
          List.of("https://proxy.example/v1"),
          configured.stream()
              .filter(x -> x.name().equals("anthropic"))
              .map(Source::target)
              .toList());
    }
    ExporterConfig none = new ConfigLoader().parse("sources: { nvml: { enabled: false } }\n");
    for (SourceKind k : SourceRegistry.KINDS)
      assertEquals(
          List.of(),
          k.create(new SourceSetup(none, List.of(), new OkHttpClient())),
          "nothing configured, nothing built");
  }

  private static List<Source> build(List<SourceKind> kinds, String nvml) throws Exception {
    ExporterConfig cfg = new ConfigLoader().parse(DEPLOYMENTS.formatted(nvml));
    SourceSetup setup = new SourceSetup(cfg, cfg.sources().vllm(), new OkHttpClient());
    List<Source> out = new ArrayList<>();
    for (SourceKind k : kinds) out.addAll(k.create(setup));
    return out;
  }
}
