package dev.aicost.source.k8s;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceException;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.LimitsConfig;
import dev.aicost.config.VllmDiscoveryConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sources.vllm_discovery}: one source reading every vLLM pod the Kubernetes API lists. The
 * client configures itself as kubectl does (in-cluster service account, else KUBECONFIG).
 */
public final class VllmDiscoverySourceKind implements SourceKind {
  private static final Logger log = LoggerFactory.getLogger(VllmDiscoverySourceKind.class);
  public static final String SECTION = "sources.vllm_discovery";

  private final Function<VllmDiscoveryConfig, KubernetesClient> clients;
  private final Function<String, String> env;

  public VllmDiscoverySourceKind() {
    this(VllmDiscoverySourceKind::client, System::getenv);
  }

  /**
   * @param clients the Kubernetes client for a configuration (tests: the mock API server's)
   * @param env the environment, for {@code node_name_env}
   */
  public VllmDiscoverySourceKind(
      Function<VllmDiscoveryConfig, KubernetesClient> clients, Function<String, String> env) {
    this.clients = clients;
    this.env = env;
  }

  @Override
  public String section() {
    return SECTION;
  }

  @Override
  public List<Source> create(SourceSetup setup) throws SourceException {
    VllmDiscoveryConfig cfg = setup.config().sources().vllmDiscovery();
    if (cfg == null) return List.of();
    String node = cfg.effectiveNodeName(env);
    if (node == null && cfg.nodeNameEnv() != null && !cfg.nodeNameEnv().isBlank()) {
      // every node's exporter would read every pod: each replica counted once per node
      throw new SourceException(
          "config",
          SECTION
              + ".node_name_env: the environment variable "
              + cfg.nodeNameEnv()
              + " is not set; refusing to read the pods of every node");
    }
    if (cfg.gpuCountFromPod() && !"false".equals(setup.config().sources().nvml().enabled())) {
      log.warn(
          "event=gpu_basis_overlap section={} effect=\"pods' GPU time is booked from their nvidia.com/gpu limits\" "
              + "hint=\"with NVML measuring the same node's GPUs both are booked; set sources.nvml.enabled: false or gpu_count_from_pod: false\"",
          SECTION);
    }
    LimitsConfig limits = setup.config().limits();
    return List.of(
        new VllmDiscoverySource(
            cfg,
            clients.apply(cfg),
            setup.http(),
            node,
            limits.maxScrapeBytes().bytes(),
            limits.maxLabelValueLength(),
            limits.maxModelsPerSource()));
  }

  private static KubernetesClient client(VllmDiscoveryConfig cfg) {
    int ms = (int) Math.min(Integer.MAX_VALUE, cfg.timeout().toMillis());
    Config c =
        new ConfigBuilder(Config.autoConfigure(null))
            .withRequestTimeout(ms)
            .withConnectionTimeout(ms)
            .withRequestRetryBackoffLimit(0)
            .build();
    return new KubernetesClientBuilder().withConfig(c).build();
  }
}
