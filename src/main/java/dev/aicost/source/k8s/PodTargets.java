package dev.aicost.source.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Turns listed pods into the targets to read: which pods, at what URL, under which deployment. */
final class PodTargets {
  /** Labels that differ per pod or per rollout: never attribution keys (they would be raw ids). */
  static final Set<String> VOLATILE_LABELS =
      Set.of(
          "pod-template-hash",
          "controller-revision-hash",
          "statefulset.kubernetes.io/pod-name",
          "apps.kubernetes.io/pod-index",
          "pod-template-generation");

  static final String GPU_RESOURCE = "nvidia.com/gpu";

  private PodTargets() {}

  /**
   * Why a listed pod is not read, or null when it is. The node is checked here too: an API server
   * (or proxy) that ignores the field selector must not make every node read every pod.
   */
  static String skipReason(Pod p, String portName, String nodeName) {
    if (nodeName != null && (p.getSpec() == null || !nodeName.equals(p.getSpec().getNodeName())))
      return "other_node";
    if (p.getStatus() == null || !"Running".equals(p.getStatus().getPhase())) return "not_running";
    String ip = p.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) return "no_ip";
    if (port(p, portName) < 0) return "no_port";
    return null;
  }

  static DiscoveredPod target(Pod p, String portName, String deploymentLabel, boolean gpuFromPod) {
    String ns = p.getMetadata().getNamespace();
    String ip = p.getStatus().getPodIP();
    String host = ip.contains(":") ? "[" + ip + "]" : ip; // IPv6 pod IPs
    String url = "http://" + host + ":" + port(p, portName) + "/metrics";
    Map<String, String> ids = new TreeMap<>();
    ids.put("namespace", ns);
    Map<String, String> labels = p.getMetadata().getLabels();
    if (labels != null)
      labels.forEach(
          (k, v) -> {
            if (!VOLATILE_LABELS.contains(k) && v != null) ids.put("pod_label." + k, v);
          });
    return new DiscoveredPod(
        p.getMetadata().getUid(),
        ns + "/" + p.getMetadata().getName(),
        deployment(p, deploymentLabel),
        url,
        gpuFromPod ? gpus(p) : 0,
        startMs(p),
        ids);
  }

  /**
   * The deployment a pod is a replica of: the configured label, else its controller (a ReplicaSet's
   * name without the pod-template-hash names its Deployment), else the pod's name.
   */
  static String deployment(Pod p, String deploymentLabel) {
    Map<String, String> labels = p.getMetadata().getLabels();
    String v = labels == null ? null : labels.get(deploymentLabel);
    if (v != null && !v.isBlank()) return v;
    if (p.getMetadata().getOwnerReferences() != null) {
      for (OwnerReference o : p.getMetadata().getOwnerReferences()) {
        if (!Boolean.TRUE.equals(o.getController())) continue;
        String name = o.getName();
        String hash = labels == null ? null : labels.get("pod-template-hash");
        if ("ReplicaSet".equals(o.getKind()) && hash != null && name.endsWith("-" + hash))
          return name.substring(0, name.length() - hash.length() - 1);
        return name;
      }
    }
    return p.getMetadata().getName();
  }

  static int port(Pod p, String portName) {
    if (p.getSpec() == null || p.getSpec().getContainers() == null) return -1;
    for (Container c : p.getSpec().getContainers()) {
      if (c.getPorts() == null) continue;
      for (ContainerPort cp : c.getPorts())
        if (portName.equals(cp.getName()) && cp.getContainerPort() != null)
          return cp.getContainerPort();
    }
    return -1;
  }

  /** GPUs the pod's containers are limited to (the device plugin allocates by limit). */
  static int gpus(Pod p) {
    int n = 0;
    if (p.getSpec() == null || p.getSpec().getContainers() == null) return 0;
    for (Container c : p.getSpec().getContainers()) {
      if (c.getResources() == null || c.getResources().getLimits() == null) continue;
      Quantity q = c.getResources().getLimits().get(GPU_RESOURCE);
      if (q == null) continue;
      try {
        n += Quantity.getAmountInBytes(q).intValue();
      } catch (RuntimeException bad) {
        // an unparsable quantity is no GPU count; the pod is still read
      }
    }
    return n;
  }

  private static long startMs(Pod p) {
    String t = p.getStatus() == null ? null : p.getStatus().getStartTime();
    if (t == null) return 0;
    try {
      return Instant.parse(t).toEpochMilli();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
