package dev.aicost.demo;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.DemoConfig;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.config.RuleConfig;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.http.JsonApi;
import dev.aicost.source.AdminKey;
import dev.aicost.source.anthropic.AnthropicSourceKind;
import dev.aicost.source.openai.OpenAiSourceKind;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code --demo} adds: simulated vLLM deployments on loopback, the sources that read them,
 * attribution rules for them, and {@code POST /api/v1/demo/load?factor=N} to drive a runaway.
 */
public final class Demo implements AutoCloseable {
  private record Spec(
      String deployment,
      List<SimulatedVllm.Model> models,
      int engines,
      int gpus,
      String gpuName,
      Map<String, String> tags) {}

  private static final List<Spec> SPECS =
      List.of(
          new Spec(
              "demo-llama",
              List.of(
                  new SimulatedVllm.Model(
                      "meta-llama/Llama-3.1-8B-Instruct", 6.0, 1800, 220, 0.55)),
              2,
              2,
              "NVIDIA H100 80GB HBM3",
              Map.of("team", "search", "cost_center", "CC-1001", "app_env", "demo")),
          new Spec(
              "demo-qwen",
              List.of(
                  new SimulatedVllm.Model("Qwen/Qwen2.5-7B-Instruct", 3.0, 900, 350, 0.30),
                  new SimulatedVllm.Model("Qwen/Qwen2.5-Coder-7B-Instruct", 1.0, 2400, 500, 0.70)),
              1,
              1,
              "NVIDIA L40S",
              Map.of("team", "assistant", "cost_center", "CC-2002", "app_env", "demo")),
          new Spec(
              "demo-mistral",
              List.of(
                  new SimulatedVllm.Model(
                      "mistralai/Mistral-7B-Instruct-v0.3", 2.0, 1200, 300, 0.2)),
              1,
              1,
              "NVIDIA L4",
              Map.of("team", "support", "cost_center", "CC-3003", "app_env", "demo")));

  private static final long GIB = 1L << 30;

  private final List<SimulatedVllm> servers = new ArrayList<>();
  private final List<SimulatedGpus.Gpu> gpus = new ArrayList<>();
  private final SimulatedGpus gpuSource;
  private final List<VllmSourceConfig> sources = new ArrayList<>();
  private final List<RuleConfig> rules = new ArrayList<>();
  private final SimulatedOpenAi openAi;
  private final ManagedApiSourceConfig openAiSource;
  private final SimulatedAnthropic anthropic;
  private final java.time.Duration interval;

  public Demo(DemoConfig cfg, Clock clock) throws IOException {
    for (int i = 0; i < Math.min(cfg.deployments(), SPECS.size()); i++) {
      Spec s = SPECS.get(i);
      SimulatedVllm sim =
          new SimulatedVllm(clock, s.models(), s.engines(), cfg.restartEvery(), 42 + i);
      servers.add(sim);
      List<String> uuids = new ArrayList<>();
      for (int g = 0; g < s.gpus(); g++) {
        String uuid =
            String.format(java.util.Locale.ROOT, "GPU-de300000-0000-4000-8000-%012d", gpus.size());
        uuids.add(uuid);
        gpus.add(gpu(gpus.size(), uuid, s.gpuName(), s.deployment(), sim::busyRatio));
      }
      sources.add(
          VllmSourceConfig.of(s.deployment(), sim.url())
              .withInterval(cfg.interval())
              .withGpuCount(s.gpus(), null, s.gpuName())
              .withGpus(uuids));
      rules.add(new RuleConfig(Map.of("deployment", s.deployment()), s.tags()));
    }
    // a spare GPU that serves nothing still costs money: it shows up with deployment=""
    gpus.add(
        gpu(
            gpus.size(),
            String.format(java.util.Locale.ROOT, "GPU-de300000-0000-4000-8000-%012d", gpus.size()),
            "NVIDIA H100 80GB HBM3",
            "",
            () -> 0.0));
    gpuSource = new SimulatedGpus(gpus, cfg.interval());
    // managed spend next to self-hosted: a simulated OpenAI organisation with half an hour of usage
    openAi = new SimulatedOpenAi(clock, Duration.ofMinutes(30));
    openAiSource =
        new ManagedApiSourceConfig(
            null,
            null,
            cfg.interval(),
            openAi.baseUrl(),
            "1m",
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            Duration.ofSeconds(10));
    rules.add(
        new RuleConfig(
            Map.of("provider", "openai", "project_id", "proj_demo_search"),
            Map.of("team", "search", "app_env", "demo")));
    rules.add(
        new RuleConfig(
            Map.of("provider", "openai", "project_id", "proj_demo_support"),
            Map.of("team", "support", "app_env", "demo")));
    anthropic = new SimulatedAnthropic(clock, ANTHROPIC_GROUPS);
    rules.add(
        new RuleConfig(
            Map.of("provider", "anthropic", "workspace_id", "wrkspc_demo_research"),
            Map.of("team", "research", "cost_center", "CC-4004", "app_env", "demo")));
    rules.add(
        new RuleConfig(
            Map.of("provider", "anthropic", "workspace_id", "default"),
            Map.of("team", "support", "cost_center", "CC-3003", "app_env", "demo")));
    this.interval = cfg.interval();
    cloudWatch = new SimulatedCloudWatch(clock);
    bedrockInterval = cfg.interval();
  }

  /** The simulated Anthropic organisation: list prices of the models, tokens per second. */
  private static final List<SimulatedAnthropic.Group> ANTHROPIC_GROUPS =
      List.of(
          new SimulatedAnthropic.Group(
              "wrkspc_demo_research",
              "apikey_demo_research",
              "claude-sonnet-4-5",
              "standard",
              "0-200k",
              900,
              2400,
              150,
              40,
              260,
              3,
              15),
          new SimulatedAnthropic.Group(
              null,
              "apikey_demo_support",
              "claude-haiku-4-5",
              "standard",
              "0-200k",
              1500,
              600,
              80,
              0,
              420,
              1,
              5));

  /**
   * {@code sources.anthropic} in the demo: when the configuration has no such section, a source
   * reading the simulated Admin API with its in-process key; otherwise the configured one.
   */
  public SourceKind anthropicKind(SourceKind configured) {
    return new SourceKind() {
      @Override
      public String section() {
        return configured.section();
      }

      @Override
      public List<Source> create(SourceSetup setup) throws dev.aicost.collect.SourceException {
        if (setup.config().sources().anthropic() != null) return configured.create(setup);
        ManagedApiSourceConfig cfg =
            new ManagedApiSourceConfig(
                null,
                null,
                interval,
                anthropic.url(),
                "1m",
                java.time.Duration.ofMinutes(10),
                java.time.Duration.ofHours(1),
                java.time.Duration.ofSeconds(5));
        return List.of(
            AnthropicSourceKind.source(
                cfg, AdminKey.fixed(anthropic.key(), "the demo's in-process key"), setup.http()));
      }
    };
  }

  /**
   * {@code sources.openai} reading the simulated organisation, with its key handed over in-process;
   * a configured {@code sources.openai} takes precedence.
   */
  public SourceKind openAiKind() {
    return OpenAiSourceKind.withDefault(
        openAiSource, AdminKey.fixed(openAi.adminKey(), "the demo's in-process key"));
  }

  /** The simulated organisation's key, for a test proving it is never shown. */
  public String openAiKeyForTests() {
    return openAi.adminKey();
  }

  private final SimulatedCloudWatch cloudWatch;
  private final java.time.Duration bedrockInterval;

  /**
   * Bedrock read from the simulated CloudWatch with fake static credentials, with or without {@code
   * sources.bedrock} (its endpoint and control plane endpoint are replaced).
   */
  public SourceKind bedrockKind() {
    var fake =
        software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("demo", "demo"));
    return new dev.aicost.source.bedrock.BedrockSourceKind(
        () -> fake,
        cloudWatch.endpoint(),
        cloudWatch.endpoint(), // it answers GetInferenceProfile too
        new dev.aicost.config.BedrockSourceConfig(
            List.of("us-east-1"), bedrockInterval, null, null, null));
  }

  private static SimulatedGpus.Gpu gpu(
      int index,
      String uuid,
      String name,
      String deployment,
      java.util.function.DoubleSupplier busy) {
    return switch (name) {
      case "NVIDIA L40S" ->
          new SimulatedGpus.Gpu(index, uuid, name, deployment, 48 * GIB, 35, 350, busy);
      case "NVIDIA L4" ->
          new SimulatedGpus.Gpu(index, uuid, name, deployment, 24 * GIB, 16, 72, busy);
      default -> new SimulatedGpus.Gpu(index, uuid, name, deployment, 80 * GIB, 70, 700, busy);
    };
  }

  /** The simulated GPUs, read like NVML would be. */
  public SimulatedGpus gpuSource() {
    return gpuSource;
  }

  /** The simulated GPUs as the source kind of {@code section} (they stand in for NVML). */
  public SourceKind gpuKind(String section) {
    return new SourceKind() {
      @Override
      public String section() {
        return section;
      }

      @Override
      public List<Source> create(SourceSetup setup) {
        return List.of(gpuSource);
      }
    };
  }

  public List<VllmSourceConfig> sources() {
    return sources;
  }

  public List<RuleConfig> rules() {
    return rules;
  }

  private volatile double loadFactor = 1;

  public void setLoadFactor(double f) {
    loadFactor = f;
    servers.forEach(s -> s.setLoadFactor(f));
    openAi.setLoadFactor(f);
  }

  /** The multiplier on simulated traffic (1 = normal), as last set. */
  public double loadFactor() {
    return loadFactor;
  }

  public JsonApi.Extension api() {
    return app ->
        app.post(
            "/api/v1/demo/load",
            ctx -> {
              double f;
              try {
                f =
                    Double.parseDouble(
                        ctx.queryParamAsClass("factor", String.class).getOrDefault("1"));
              } catch (NumberFormatException e) {
                f = -1;
              }
              if (!(f >= 0 && f <= 1000)) {
                ctx.status(HttpStatus.BAD_REQUEST)
                    .result("factor must be a number between 0 and 1000\n");
                return;
              }
              setLoadFactor(f);
              ctx.result("demo load factor " + f + "\n");
            });
  }

  @Override
  public void close() {
    servers.forEach(SimulatedVllm::close);
    openAi.close();
    anthropic.close();
    cloudWatch.close();
  }
}
