package dev.aicost.source.k8s;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.collect.Batch;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.config.VllmDiscoveryConfig;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.vllm.VllmSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sources.vllm_discovery}: lists the vLLM pods through the Kubernetes API on every run and
 * reads each pod's {@code /metrics} directly with the vLLM source's own reading and per-process
 * accounting ({@link VllmSource}), one reader per pod.
 *
 * <p>Exactly once across pods: the checkpoint holds every pod's own vLLM checkpoint under the pod's
 * UID, written in the same ledger transaction as the usage. A pod whose IP changes keeps its state
 * (same UID); a pod that goes away keeps its counted totals, and its last readings are remembered
 * for {@code process_expiry}, so a pod that drops out of the list and comes back is not counted
 * twice. A new pod is a replica of its deployment, counted from its first read; once discovery has
 * read before, the pod's interval starts at its own start (or discovery's last read if later), so
 * its usage is live, not history.
 */
public final class VllmDiscoverySource implements Source {
  private static final Logger log = LoggerFactory.getLogger(VllmDiscoverySource.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String NAME = "vllm_discovery";

  private final VllmDiscoveryConfig cfg;
  private final KubernetesClient kube;
  private final OkHttpClient http;
  private final String nodeName;
  private final long maxBytes;
  private final int maxLabelValueLength;
  private final int maxModels;
  private final Map<String, Reader> readers = new ConcurrentHashMap<>();
  private volatile State state = State.EMPTY;

  /** A pod's committed position: its deployment, when it was last read, its vLLM checkpoint. */
  record PodState(String deployment, long lastSeenMs, String checkpoint) {}

  record State(long lastReadMs, Map<String, PodState> pods) {
    static final State EMPTY = new State(0, Map.of());
  }

  /** What one collect read: the state after it and each pod's own batch, adopted on commit. */
  record Next(State state, Map<String, Read> reads) {}

  record Read(Reader reader, Batch batch) {}

  /** One pod's reader, rebuilt when its URL, deployment or GPU count changes. */
  record Reader(DiscoveredPod pod, VllmSource source) {}

  public VllmDiscoverySource(
      VllmDiscoveryConfig cfg,
      KubernetesClient kube,
      OkHttpClient http,
      String nodeName,
      long maxBytes,
      int maxLabelValueLength,
      int maxModels) {
    this.cfg = cfg;
    this.kube = kube;
    this.http = http;
    this.nodeName = nodeName;
    this.maxBytes = maxBytes;
    this.maxLabelValueLength = maxLabelValueLength;
    this.maxModels = maxModels;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String target() {
    return "kubernetes pods "
        + (cfg.labelSelector() == null ? "(every pod)" : cfg.labelSelector())
        + (cfg.namespaces().isEmpty() ? " in every namespace" : " in " + cfg.namespaces())
        + (nodeName == null ? "" : " on node " + nodeName)
        + " port "
        + cfg.portName();
  }

  @Override
  public Duration interval() {
    return cfg.interval();
  }

  @Override
  public List<String> errorReasons() {
    List<String> reasons = new ArrayList<>(VllmSource.ERROR_REASONS);
    reasons.add("auth");
    reasons.add("kubernetes_api");
    return reasons;
  }

  @Override
  public void restore(String checkpointJson) {
    if (checkpointJson == null) return;
    try {
      JsonNode root = JSON.readTree(checkpointJson);
      Map<String, PodState> pods = new LinkedHashMap<>();
      root.path("pods")
          .fields()
          .forEachRemaining(
              e ->
                  pods.put(
                      e.getKey(),
                      new PodState(
                          e.getValue().path("deployment").asText(),
                          e.getValue().path("lastSeenMs").asLong(),
                          e.getValue().path("vllm").toString())));
      state = new State(root.path("lastReadMs").asLong(), Map.copyOf(pods));
    } catch (IOException | RuntimeException e) {
      log.warn(
          "event=checkpoint_unreadable collector={} error=\"{}\" effect=\"baseline anew\"",
          NAME,
          e.getMessage());
    }
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) throws SourceException {
    State prev = state;
    long nowMs = now.toEpochMilli();
    List<Pod> listed = list(ctx);
    List<UsageDelta> usage = new ArrayList<>();
    List<CapacityDelta> capacity = new ArrayList<>();
    Map<String, PodState> pods = new TreeMap<>();
    Map<String, Read> reads = new HashMap<>();
    int[] processes = {0};
    SourceContext podCtx =
        new SourceContext() {
          @Override
          public void upstreamCall(String operation, String outcome) {
            ctx.upstreamCall(operation, outcome);
          }

          @Override
          public void partialError(String reason, String message) {
            ctx.partialError(reason, message);
          }

          @Override
          public void upstreamProcesses(int count) {
            processes[0] += count;
          }
        };
    int targets = 0;
    SourceException firstFailure = null;
    for (Pod p : listed) {
      if (PodTargets.skipReason(p, cfg.portName(), nodeName) != null) continue;
      DiscoveredPod pod =
          PodTargets.target(p, cfg.portName(), cfg.deploymentLabel(), cfg.gpuCountFromPod());
      if (pods.containsKey(pod.uid())) continue; // listed twice (overlapping namespaces)
      targets++;
      PodState before = prev.pods().get(pod.uid());
      Reader reader = reader(pod, before, prev.lastReadMs(), nowMs);
      try {
        Batch b = reader.source().collect(now, podCtx);
        for (UsageDelta u : b.usage()) usage.add(withIds(u, pod.sourceIds()));
        capacity.addAll(b.capacity());
        if (pod.gpuCount() > 0 && b.capacity().isEmpty()) {
          // a first read books no GPU time, but says this deployment is priced by it
          capacity.add(
              new CapacityDelta(
                  now,
                  now,
                  VllmSource.PROVIDER,
                  VllmSource.SERVICE,
                  pod.deployment(),
                  pod.gpuCount(),
                  null,
                  null));
        }
        pods.put(pod.uid(), new PodState(pod.deployment(), nowMs, b.checkpointJson()));
        reads.put(pod.uid(), new Read(reader, b));
      } catch (SourceException e) {
        if (firstFailure == null) firstFailure = e;
        ctx.partialError(e.reason(), "pod " + pod.ref() + ": " + e.getMessage());
        if (before != null) pods.put(pod.uid(), before);
      }
    }
    ctx.upstreamProcesses(processes[0]);
    if (targets > 0 && reads.isEmpty()) {
      throw new SourceException(
          firstFailure.reason(),
          "none of " + targets + " vLLM pods could be read; first: " + firstFailure.getMessage());
    }
    // pods not listed now keep their last readings for process_expiry, then are forgotten
    long expiry = cfg.processExpiry().toMillis();
    prev.pods()
        .forEach(
            (uid, ps) -> {
              if (!pods.containsKey(uid) && nowMs - ps.lastSeenMs() <= expiry) pods.put(uid, ps);
            });
    State next = new State(nowMs, Map.copyOf(pods));
    return Batch.of(usage, capacity, checkpoint(next), new Next(next, reads));
  }

  private List<Pod> list(SourceContext ctx) throws SourceException {
    List<Pod> out = new ArrayList<>();
    List<String> namespaces = cfg.namespaces().isEmpty() ? List.of("") : cfg.namespaces();
    for (String ns : namespaces) {
      try {
        FilterWatchListDeletable<Pod, PodList, PodResource> op =
            ns.isEmpty() ? kube.pods().inAnyNamespace() : kube.pods().inNamespace(ns);
        if (cfg.labelSelector() != null && !cfg.labelSelector().isBlank())
          op = op.withLabelSelector(cfg.labelSelector());
        if (nodeName != null) op = op.withField("spec.nodeName", nodeName);
        out.addAll(op.list().getItems());
        ctx.upstreamCall("list_pods", "success");
      } catch (KubernetesClientException e) {
        throw apiFailure(ctx, ns, e);
      }
    }
    return out;
  }

  private SourceException apiFailure(SourceContext ctx, String ns, KubernetesClientException e) {
    String where = ns.isEmpty() ? "in any namespace" : "in namespace " + ns;
    int code = e.getCode();
    if (code == 401 || code == 403) {
      ctx.upstreamCall("list_pods", "http_" + code);
      return new SourceException(
          "auth",
          "Kubernetes API refused to list pods "
              + where
              + " (HTTP "
              + code
              + "): the service account needs get/list/watch on pods there (the chart's RBAC)");
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedIOException
          || t instanceof java.net.http.HttpTimeoutException
          || t instanceof java.util.concurrent.TimeoutException) {
        ctx.upstreamCall("list_pods", "timeout");
        return new SourceException("timeout", "listing pods " + where + " timed out");
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    ctx.upstreamCall("list_pods", code > 0 ? "http_" + code : "error");
    return new SourceException(
        "kubernetes_api",
        "listing pods "
            + where
            + " failed"
            + (code > 0 ? " (HTTP " + code + ")" : "")
            + ": "
            + root.getClass().getSimpleName()
            + (root.getMessage() == null ? "" : " " + root.getMessage()));
  }

  /** The pod's reader: the current one when nothing changed, else one restored from its state. */
  private Reader reader(DiscoveredPod pod, PodState before, long lastReadMs, long nowMs) {
    Reader r = readers.get(pod.uid());
    if (r != null
        && r.pod().url().equals(pod.url())
        && r.pod().deployment().equals(pod.deployment())
        && r.pod().gpuCount() == pod.gpuCount()) return r;
    VllmSourceConfig vc =
        VllmSourceConfig.of(pod.deployment(), pod.url())
            .withInterval(cfg.interval())
            .withTimeout(cfg.timeout())
            .withGpuCount(pod.gpuCount(), null, null);
    vc =
        new VllmSourceConfig(
            vc.name(),
            vc.url(),
            vc.interval(),
            vc.timeout(),
            vc.gpuCount(),
            vc.gpuHourlyUsd(),
            vc.gpuName(),
            vc.gpus(),
            vc.process(),
            cfg.processExpiry());
    VllmSource s = new VllmSource(vc, http, maxBytes, maxLabelValueLength, maxModels);
    if (before != null) {
      if (r != null && !r.pod().url().equals(pod.url()))
        log.info(
            "event=pod_moved collector={} pod={} url={} effect=\"same pod, its counts continue\"",
            NAME,
            pod.ref(),
            pod.url());
      s.restore(before.checkpoint());
    } else if (lastReadMs > 0) {
      // a replica that appeared since discovery's last read: its usage since it started is live
      long from = Math.min(nowMs, Math.max(lastReadMs, pod.startMs()));
      s.restore("{\"processes\":[],\"lastReadMs\":" + from + "}");
      log.info(
          "event=pod_new collector={} pod={} deployment={} effect=\"counted from its first read as a replica\"",
          NAME,
          pod.ref(),
          pod.deployment());
    }
    r = new Reader(pod, s);
    readers.put(pod.uid(), r);
    return r;
  }

  private static UsageDelta withIds(UsageDelta u, Map<String, String> ids) {
    Map<String, String> all = new HashMap<>(ids);
    all.putAll(u.sourceIds());
    return new UsageDelta(
        u.start(),
        u.end(),
        u.provider(),
        u.service(),
        u.deployment(),
        u.model(),
        all,
        u.tokens(),
        u.requests(),
        u.history(),
        u.cacheKnown());
  }

  @Override
  public void committed(Batch batch) {
    Next next = (Next) batch.nextState();
    next.reads().forEach((uid, read) -> read.reader().source().committed(read.batch()));
    state = next.state();
    readers.keySet().retainAll(next.state().pods().keySet());
  }

  private static String checkpoint(State s) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("lastReadMs", s.lastReadMs());
      g.writeObjectFieldStart("pods");
      for (Map.Entry<String, PodState> e : new TreeMap<>(s.pods()).entrySet()) {
        g.writeObjectFieldStart(e.getKey());
        g.writeStringField("deployment", e.getValue().deployment());
        g.writeNumberField("lastSeenMs", e.getValue().lastSeenMs());
        g.writeFieldName("vllm");
        g.writeRawValue(e.getValue().checkpoint());
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("checkpoint not serialisable", e);
    }
    return out.toString();
  }

  @Override
  public void close() {
    kube.close();
  }
}
