package dev.aicost.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code sources.vllm_discovery:} vLLM pods found through the Kubernetes API, each read directly.
 * Off when absent.
 *
 * @param namespaces namespaces to watch; empty for all the service account may list
 * @param labelSelector pods to read, e.g. {@code app.kubernetes.io/name=vllm}
 * @param portName the container port serving {@code /metrics}
 * @param nodeName read only pods on this node (a DaemonSet sets it from the downward API); null for
 *     every node
 * @param interval per pod, default 15s
 */
public record VllmDiscoveryConfig(
    List<String> namespaces,
    String labelSelector,
    String portName,
    String nodeName,
    Duration interval) {

  public VllmDiscoveryConfig {
    namespaces = ConfigCopies.list(namespaces);
    interval = interval != null ? interval : Duration.ofSeconds(15);
  }
}
