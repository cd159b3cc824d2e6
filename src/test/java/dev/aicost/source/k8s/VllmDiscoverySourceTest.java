package dev.aicost.source.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.ExporterConfig;
import dev.aicost.config.RuleConfig;
import dev.aicost.config.VllmDiscoveryConfig;
import dev.aicost.model.TokenType;
import dev.aicost.model.UsageDelta;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.RecordingContext;
import dev.aicost.testing.VllmPages;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery against fabric8's mock API server (CRUD mode: pods created, updated and deleted as on a
 * cluster), with {@link FakeVllmServer}s as the pods' vLLM.
 */
class VllmDiscoverySourceTest {
  static final String NODE = "gpu-node-a";
  static final double CREATED = 1_760_000_000;
  static final Instant T0 = Instant.ofEpochSecond(1_760_000_600);

  KubernetesMockServer server;
  final List<String> listPaths = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * The mock's pod store, answering as an API server that ignores field selectors (the mock cannot
   * match spec.nodeName): the source must still read only its node's pods.
   */
  class SelectorIgnoringCrud extends KubernetesCrudDispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      if (!"GET".equals(request.getMethod()) || !path.contains("fieldSelector="))
        return super.dispatch(request);
      listPaths.add(path);
      String stripped = path.replaceAll("fieldSelector=[^&]*&?", "").replaceAll("[?&]$", "");
      return super.dispatch(
          new RecordedRequest(
              request.getHttpVersion(),
              io.fabric8.mockwebserver.dsl.HttpMethod.GET,
              stripped,
              request.getHeaders(),
              request.getBody()));
    }
  }

  KubernetesClient kube;
  final OkHttpClient http = new OkHttpClient();

  @BeforeEach
  void start() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new SelectorIgnoringCrud(), false);
    server.init();
    kube = server.createClient();
  }

  @AfterEach
  void stop() {
    kube.close();
    server.destroy();
  }

  static VllmDiscoveryConfig config() {
    return new VllmDiscoveryConfig(
        List.of(),
        "app.kubernetes.io/name=vllm",
        "http",
        NODE,
        Duration.ofSeconds(15),
        null,
        null,
        Duration.ofSeconds(2),
        Duration.ofHours(1),
        null);
  }

  VllmDiscoverySource source() {
    return new VllmDiscoverySource(config(), kube, http, NODE, 16 << 20, 1024, 1000);
  }

  static Pod pod(String name, String uid, String node, FakeVllmServer vllm, String deployment) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("llm")
        .withUid(uid)
        .addToLabels("app.kubernetes.io/name", "vllm")
        .addToLabels("app.kubernetes.io/instance", deployment)
        .addToLabels("team", "search")
        .addToLabels("pod-template-hash", "7d9f8c")
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("vllm")
        .addNewPort()
        .withName("http")
        .withContainerPort(vllm.port())
        .endPort()
        .withNewResources()
        .addToLimits("nvidia.com/gpu", new Quantity("2"))
        .endResources()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(vllm.host())
        .withStartTime("2025-10-09T08:53:00Z")
        .endStatus()
        .build();
  }

  /**
   * As kubelet does: the pod object, then its status (a subresource the API server keeps apart).
   */
  void create(Pod p) {
    kube.pods().inNamespace("llm").resource(p).create();
    kube.pods().inNamespace("llm").resource(p).updateStatus();
  }

  void update(Pod p) {
    kube.pods().inNamespace("llm").resource(p).update();
    kube.pods().inNamespace("llm").resource(p).updateStatus();
  }

  static long prompt(Batch b) {
    return b.usage().stream()
        .mapToLong(u -> u.tokens().get(TokenType.INPUT) + u.tokens().get(TokenType.CACHE_READ))
        .sum();
  }

  static Batch run(VllmDiscoverySource s, Instant at, RecordingContext ctx) throws Exception {
    Batch b = s.collect(at, ctx);
    s.committed(b);
    return b;
  }

  @Test
  void podsAppearChangeIpAndDisappearWithoutDoubleCounting() throws Exception {
    try (FakeVllmServer a = new FakeVllmServer();
        FakeVllmServer b = new FakeVllmServer();
        FakeVllmServer aMoved = new FakeVllmServer("127.0.0.2")) {
      a.page(VllmPages.v1("llama", "0", 100, 10, 0, 1, CREATED));
      create(pod("llama-1", "uid-a", NODE, a, "llama"));
      VllmDiscoverySource s = source();
      RecordingContext ctx = new RecordingContext();

      Batch first = run(s, T0, ctx);
      assertEquals(100, prompt(first), () -> listPaths + " " + ctx.partialErrors + ctx.calls);
      assertTrue(first.usage().stream().allMatch(UsageDelta::history), "first read: history");
      UsageDelta u = first.usage().get(0);
      assertEquals("llama", u.deployment());
      assertEquals("llm", u.sourceIds().get("namespace"));
      assertEquals("search", u.sourceIds().get("pod_label.team"));
      assertFalse(
          u.sourceIds().containsKey("pod_label.pod-template-hash"), "per-rollout ids are no key");

      // a second replica appears: counted from its first read, as live usage of the same deployment
      // (its vLLM started after discovery's last read, so none of its usage is history)
      b.page(VllmPages.v1("llama", "0", 50, 5, 0, 1, T0.getEpochSecond() + 10));
      a.page(VllmPages.v1("llama", "0", 130, 13, 0, 2, CREATED));
      create(pod("llama-2", "uid-b", NODE, b, "llama"));
      Batch second = run(s, T0.plusSeconds(15), ctx);
      assertEquals(30 + 50, prompt(second));
      assertTrue(second.usage().stream().noneMatch(UsageDelta::history));
      assertTrue(second.usage().stream().allMatch(x -> x.deployment().equals("llama")));
      assertEquals(2, ctx.upstreamProcesses);

      // pod A's IP changes (same pod, same vLLM process): its counts continue, nothing twice
      aMoved.page(VllmPages.v1("llama", "0", 140, 14, 0, 2, CREATED));
      update(pod("llama-1", "uid-a", NODE, aMoved, "llama"));
      Batch third = run(s, T0.plusSeconds(30), ctx);
      assertEquals(10, prompt(third));
      int oldHits = a.hits();

      // pod B drops out of the list (its node stops reporting: phase Unknown) and comes back: its
      // counters, unchanged, are not counted a second time
      Pod flapping = pod("llama-2", "uid-b", NODE, b, "llama");
      flapping.getStatus().setPhase("Unknown");
      kube.pods().inNamespace("llm").resource(flapping).updateStatus();
      int bHits = b.hits();
      Batch fourth = run(s, T0.plusSeconds(45), ctx);
      assertEquals(0, prompt(fourth));
      assertEquals(bHits, b.hits(), "a pod that is not running is not read");
      assertEquals(oldHits, a.hits(), "the old IP is no longer read");
      flapping.getStatus().setPhase("Running");
      kube.pods().inNamespace("llm").resource(flapping).updateStatus();
      Batch fifth = run(s, T0.plusSeconds(60), ctx);
      assertEquals(0, prompt(fifth));

      // pod B goes away: what it counted stays counted; its readings are kept for process_expiry
      String uidB = kube.pods().inNamespace("llm").withName("llama-2").get().getMetadata().getUid();
      kube.pods().inNamespace("llm").withName("llama-2").delete();
      Batch sixth = run(s, T0.plusSeconds(75), ctx);
      assertEquals(0, prompt(sixth));
      assertTrue(sixth.checkpointJson().contains(uidB));
      a.page(VllmPages.v1("llama", "0", 140, 14, 0, 2, CREATED));
      Batch later = run(s, T0.plusSeconds(75 + 3600 + 1), ctx);
      assertFalse(later.checkpointJson().contains(uidB), "forgotten after process_expiry");

      // restart: a new source from the checkpoint reads the same pages as nothing new
      VllmDiscoverySource restarted = source();
      restarted.restore(later.checkpointJson());
      assertEquals(0, prompt(run(restarted, T0.plusSeconds(3700), new RecordingContext())));
    }
  }

  @Test
  void anUncommittedBatchIsReadAgainNotLost() throws Exception {
    try (FakeVllmServer a = new FakeVllmServer()) {
      a.page(VllmPages.v1("llama", "0", 100, 10, 0, 1, CREATED));
      create(pod("llama-1", "uid-a", NODE, a, "llama"));
      VllmDiscoverySource s = source();
      run(s, T0, new RecordingContext());
      a.page(VllmPages.v1("llama", "0", 160, 10, 0, 1, CREATED));
      Batch failed = s.collect(T0.plusSeconds(15), new RecordingContext()); // the ledger failed
      Batch again = s.collect(T0.plusSeconds(30), new RecordingContext());
      assertEquals(60, prompt(failed));
      assertEquals(60, prompt(again));
    }
  }

  @Test
  void readsOnlyItsNodesPods() throws Exception {
    try (FakeVllmServer mine = new FakeVllmServer();
        FakeVllmServer other = new FakeVllmServer()) {
      mine.page(VllmPages.v1("llama", "0", 100, 10, 0, 1, CREATED));
      other.page(VllmPages.v1("llama", "0", 900, 10, 0, 1, CREATED));
      create(pod("llama-1", "uid-a", NODE, mine, "llama"));
      create(pod("llama-9", "uid-z", "gpu-node-b", other, "llama"));
      Batch b = run(source(), T0, new RecordingContext());
      assertEquals(100, prompt(b));
      assertEquals(0, other.hits(), "another node's pod is that node's exporter's");
      assertTrue(
          listPaths.stream().anyMatch(p -> p.contains("fieldSelector=spec.nodeName%3D" + NODE)),
          "the API is asked for the node's pods only: " + listPaths);
    }
  }

  @Test
  void podLabelsAndNamespaceDriveAttribution() throws Exception {
    try (FakeVllmServer a = new FakeVllmServer()) {
      a.page(VllmPages.v1("llama", "0", 100, 10, 0, 1, CREATED));
      create(pod("llama-1", "uid-a", NODE, a, "llama"));
      UsageDelta u = run(source(), T0, new RecordingContext()).usage().get(0);
      AttributionRules rules =
          new AttributionRules(
              List.of(
                  new RuleConfig(Map.of("pod_label.team", "search"), Map.of("team", "search")),
                  new RuleConfig(Map.of("namespace", "llm"), Map.of("cost_center", "CC-7"))));
      Map<String, String> ids = new HashMap<>(u.sourceIds());
      ids.put("deployment", u.deployment());
      assertEquals("search", rules.resolve(ids).team());
      assertEquals("CC-7", rules.resolve(ids).costCenter());
    }
  }

  @Test
  void oneUnreadablePodIsAPartialErrorAllUnreadableFailTheRun() throws Exception {
    try (FakeVllmServer a = new FakeVllmServer();
        FakeVllmServer b = new FakeVllmServer()) {
      a.page(VllmPages.v1("llama", "0", 100, 10, 0, 1, CREATED));
      b.status(500);
      create(pod("llama-1", "uid-a", NODE, a, "llama"));
      create(pod("llama-2", "uid-b", NODE, b, "llama"));
      RecordingContext ctx = new RecordingContext();
      assertEquals(100, prompt(run(source(), T0, ctx)));
      assertEquals(1, ctx.errors("http_status"), ctx.partialErrors.toString());
      assertTrue(ctx.partialErrors.get(0).contains("llm/llama-2"));

      a.status(503);
      SourceException e =
          assertThrows(SourceException.class, () -> source().collect(T0, new RecordingContext()));
      assertEquals("http_status", e.reason());
    }
  }

  @Test
  void rbacDenialIsAnAuthFailure() throws Exception {
    Dispatcher forbidden =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse()
                .setResponseCode(403)
                .setBody(
                    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403,"
                        + "\"message\":\"pods is forbidden: User \\\"system:serviceaccount:monitoring:cost-node\\\" cannot list resource \\\"pods\\\"\"}");
          }
        };
    KubernetesMockServer denying =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), forbidden, false);
    denying.init();
    try (KubernetesClient client = denying.createClient()) {
      VllmDiscoverySource s =
          new VllmDiscoverySource(config(), client, http, NODE, 16 << 20, 1024, 1000);
      RecordingContext ctx = new RecordingContext();
      SourceException e = assertThrows(SourceException.class, () -> s.collect(T0, ctx));
      assertEquals("auth", e.reason());
      assertTrue(e.getMessage().contains("get/list/watch on pods"), e.getMessage());
      assertEquals(List.of("list_pods/http_403"), ctx.calls);
      assertTrue(s.errorReasons().contains("auth"));
    } finally {
      denying.destroy();
    }
  }

  @Test
  void aMissingNodeNameVariableRefusesToReadEveryNode() throws Exception {
    ExporterConfig withDiscovery =
        new ConfigLoader()
            .parse(
                "sources:\n  vllm_discovery:\n    label_selector: app=vllm\n    node_name_env: NODE_NAME\n");
    VllmDiscoverySourceKind kind = new VllmDiscoverySourceKind(c -> kube, name -> null);
    SourceException e =
        assertThrows(
            SourceException.class,
            () -> kind.create(new SourceSetup(withDiscovery, List.of(), http)));
    assertEquals("config", e.reason());
    assertTrue(e.getMessage().contains("NODE_NAME"));

    VllmDiscoverySourceKind onNode = new VllmDiscoverySourceKind(c -> kube, name -> "gpu-node-a");
    assertTrue(
        assertDoesNotThrow(() -> onNode.create(new SourceSetup(withDiscovery, List.of(), http)))
            .get(0)
            .target()
            .contains("on node gpu-node-a"));
  }

  private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> s) {
    return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
  }
}
