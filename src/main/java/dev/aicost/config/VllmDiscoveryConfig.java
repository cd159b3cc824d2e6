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
 * @param nodeNameEnv environment variable holding the node name (the chart sets {@code NODE_NAME}
 *     from {@code spec.nodeName}); used when {@code node_name} is absent
 * @param deploymentLabel pod label whose value is the {@code deployment} label, default {@code
 *     app.kubernetes.io/instance}; pods without it are named by their owner (ReplicaSet's
 *     Deployment, StatefulSet, ...), else by their own name
 * @param timeout per pod read and per Kubernetes API call, default 5s
 * @param processExpiry how long a pod (and each process it ran) is remembered after it was last
 *     read, default 24h: a pod that reappears within it is not counted twice
 */
public record VllmDiscoveryConfig(
    List<String> namespaces,
    String labelSelector,
    String portName,
    String nodeName,
    Duration interval,
    String nodeNameEnv,
    String deploymentLabel,
    Duration timeout,
    Duration processExpiry,
    Boolean gpuCountFromPod) {

  public static final String DEFAULT_DEPLOYMENT_LABEL = "app.kubernetes.io/instance";

  public VllmDiscoveryConfig(
      List<String> namespaces,
      String labelSelector,
      String portName,
      String nodeName,
      Duration interval) {
    this(namespaces, labelSelector, portName, nodeName, interval, null, null, null, null, null);
  }

  public VllmDiscoveryConfig {
    namespaces = ConfigCopies.list(namespaces);
    interval = interval != null ? interval : Duration.ofSeconds(15);
    portName = portName != null ? portName : "http";
    deploymentLabel = deploymentLabel != null ? deploymentLabel : DEFAULT_DEPLOYMENT_LABEL;
    timeout = timeout != null ? timeout : Duration.ofSeconds(5);
    processExpiry = processExpiry != null ? processExpiry : Duration.ofHours(24);
    gpuCountFromPod = gpuCountFromPod != null && gpuCountFromPod;
  }

  /**
   * The node whose pods are read: {@code node_name}, else the value of {@code node_name_env}; null
   * for every node.
   */
  public String effectiveNodeName(java.util.function.Function<String, String> env) {
    if (nodeName != null && !nodeName.isBlank()) return nodeName;
    if (nodeNameEnv == null || nodeNameEnv.isBlank()) return null;
    String v = env.apply(nodeNameEnv);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
