package dev.aicost.source.k8s;

import java.util.Map;

/**
 * A vLLM pod to read, as the Kubernetes API describes it.
 *
 * @param uid the pod's UID: its identity across IP changes, and the key of its checkpoint
 * @param ref {@code namespace/name}, for logs and error messages
 * @param deployment the {@code deployment} label its usage is booked under
 * @param url its {@code /metrics} on the pod IP and the named port
 * @param gpuCount GPUs the pod holds ({@code nvidia.com/gpu} limits), for the gpu_count basis
 * @param startMs when the pod started (status.startTime), 0 when unknown
 * @param sourceIds what attribution rules can match: {@code namespace} and {@code pod_label.<key>}
 */
record DiscoveredPod(
    String uid,
    String ref,
    String deployment,
    String url,
    int gpuCount,
    long startMs,
    Map<String, String> sourceIds) {}
