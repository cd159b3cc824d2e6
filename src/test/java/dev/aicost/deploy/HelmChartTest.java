package dev.aicost.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.ConfigValidator;
import dev.aicost.config.ExporterConfig;
import dev.aicost.testing.Tools;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart rendered by Helm's own engine (helm-java), every object read into the Kubernetes
 * client's model classes with unknown fields refused, so a misspelt or misplaced field fails here
 * rather than on a cluster.
 */
class HelmChartTest {
  static final Path CHART = Tools.ROOT.resolve("deploy/helm/aicost-exporter");

  /** Fabric8's models keep unknown fields in additionalProperties; here they are an error. */
  static final ObjectMapper STRICT =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .setAnnotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                  return false;
                }

                @Override
                @SuppressWarnings("deprecation")
                public boolean hasAnySetterAnnotation(
                    com.fasterxml.jackson.databind.introspect.AnnotatedMethod m) {
                  return false;
                }
              });

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.ofEntries(
          Map.entry("ConfigMap", ConfigMap.class),
          Map.entry("Secret", Secret.class),
          Map.entry("Service", Service.class),
          Map.entry("ServiceAccount", ServiceAccount.class),
          Map.entry("PersistentVolumeClaim", PersistentVolumeClaim.class),
          Map.entry("DaemonSet", DaemonSet.class),
          Map.entry("Deployment", Deployment.class),
          Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("ClusterRole", ClusterRole.class),
          Map.entry("ClusterRoleBinding", ClusterRoleBinding.class),
          Map.entry("Role", Role.class),
          Map.entry("RoleBinding", RoleBinding.class),
          Map.entry("ServiceMonitor", ServiceMonitor.class),
          Map.entry("PodMonitor", PodMonitor.class),
          Map.entry("PrometheusRule", PrometheusRule.class));

  static Rendered defaults;

  @BeforeAll
  static void renderDefaults() throws IOException {
    defaults = render(t -> {});
  }

  /** The rendered manifest and its objects. */
  record Rendered(String text, List<HasMetadata> objects, List<JsonNode> trees) {
    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String nameSuffix) {
      List<T> found =
          all(type).stream().filter(o -> o.getMetadata().getName().endsWith(nameSuffix)).toList();
      assertEquals(1, found.size(), () -> type.getSimpleName() + " *" + nameSuffix + ": " + found);
      return found.get(0);
    }
  }

  static Rendered render(Consumer<TemplateCommand> values) throws IOException {
    TemplateCommand cmd =
        new Helm(CHART)
            .template()
            .withName("cost")
            .withNamespace("monitoring")
            .withKubeVersion("1.30.0");
    values.accept(cmd);
    String text = cmd.call();
    List<HasMetadata> objects = new ArrayList<>();
    List<JsonNode> trees = new ArrayList<>();
    for (String doc : text.split("(?m)^---\\s*$")) {
      JsonNode node = YAML.readTree(doc);
      if (node == null || node.isEmpty() || node.isMissingNode()) continue;
      String kind = node.path("kind").asText();
      Class<? extends HasMetadata> type = KINDS.get(kind);
      assertNotNull(type, "a kind this test does not know: " + kind);
      objects.add(STRICT.treeToValue(node, type));
      trees.add(node);
    }
    return new Rendered(text, objects, trees);
  }

  @Test
  void lintPassesStrict() {
    LintResult r = new Helm(CHART).lint().strict().call();
    assertFalse(r.isFailed(), () -> String.join("\n", r.getMessages()));
  }

  @Test
  void strictReadingRefusesAMisplacedField() {
    // the guard the other tests rely on: a field the model does not have is an error, not a map
    // entry
    String bad =
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      hostPid: true\n";
    assertThrows(IOException.class, () -> STRICT.readValue(bad, DaemonSet.class));
  }

  @Test
  void daemonSetRunsOnGpuNodesWithNodeNameAndTheToolkitsLibrary() {
    DaemonSet ds = defaults.one(DaemonSet.class, "-node");
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    assertEquals(Map.of("nvidia.com/gpu.present", "true"), pod.getNodeSelector());
    assertEquals("nvidia.com/gpu", pod.getTolerations().get(0).getKey());
    assertEquals("Exists", pod.getTolerations().get(0).getOperator());
    assertFalse(pod.getHostPID(), "hostPID is opt-in");
    assertNull(pod.getRuntimeClassName(), "runtimeClassName is opt-in");
    Container c = exporter(pod);
    EnvVar node = env(c, "NODE_NAME");
    assertEquals("spec.nodeName", node.getValueFrom().getFieldRef().getFieldPath());
    assertEquals("all", env(c, "NVIDIA_VISIBLE_DEVICES").getValue());
    assertEquals("utility", env(c, "NVIDIA_DRIVER_CAPABILITIES").getValue());
    assertTrue(c.getArgs().contains("--config.file=/etc/aicost/config.yml"));
    assertSecure(pod, c);
    // the node's ledger survives a pod restart: hostPath, handed to the exporter's uid
    Volume state = volume(pod, "state");
    assertEquals("/var/lib/aicost-exporter", state.getHostPath().getPath());
    Container init = pod.getInitContainers().get(0);
    assertEquals(List.of("CHOWN"), init.getSecurityContext().getCapabilities().getAdd());
    assertEquals(List.of("ALL"), init.getSecurityContext().getCapabilities().getDrop());
    assertTrue(init.getSecurityContext().getReadOnlyRootFilesystem());
    // sized from the README's measured footprint (RSS 117-126 MiB at 10k series)
    assertEquals(new Quantity("160Mi"), c.getResources().getRequests().get("memory"));
    assertEquals(new Quantity("256Mi"), c.getResources().getLimits().get("memory"));
  }

  @Test
  void daemonSetToggles() throws IOException {
    Rendered r =
        render(
            t ->
                t.set("daemonset.runtimeClassName", "nvidia")
                    .set("daemonset.hostPID", true)
                    .set("daemonset.persistence.type", "emptyDir")
                    .set("daemonset.nvml.hostDriverDir", "/run/nvidia/driver/usr/lib64"));
    PodSpec pod = r.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec();
    assertEquals("nvidia", pod.getRuntimeClassName());
    assertTrue(pod.getHostPID());
    assertNotNull(volume(pod, "state").getEmptyDir());
    assertTrue(pod.getInitContainers().isEmpty(), "no chown for an emptyDir");
    assertEquals(
        "/run/nvidia/driver/usr/lib64", volume(pod, "nvidia-driver").getHostPath().getPath());
    assertEquals("/usr/local/nvidia/lib64", env(exporter(pod), "LD_LIBRARY_PATH").getValue());

    Rendered off = render(t -> t.set("daemonset.enabled", false));
    assertTrue(off.all(DaemonSet.class).isEmpty());
    assertTrue(off.all(ClusterRole.class).isEmpty(), "no discovery RBAC without the DaemonSet");
    assertEquals(1, off.all(Deployment.class).size());
  }

  @Test
  void deploymentIsOneReplicaRecreateWithAPersistentLedger() throws IOException {
    Deployment d = defaults.one(Deployment.class, "-central");
    assertEquals(1, d.getSpec().getReplicas());
    assertEquals("Recreate", d.getSpec().getStrategy().getType());
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    PersistentVolumeClaim pvc = defaults.one(PersistentVolumeClaim.class, "-ledger");
    assertEquals(
        pvc.getMetadata().getName(),
        volume(pod, "state").getPersistentVolumeClaim().getClaimName());
    assertEquals("keep", pvc.getMetadata().getAnnotations().get("helm.sh/resource-policy"));
    assertSecure(pod, exporter(pod));
    assertNotEquals(Boolean.TRUE, pod.getHostPID());
    assertTrue(defaults.all(PodDisruptionBudget.class).isEmpty());

    Rendered r =
        render(
            t ->
                t.set("deployment.persistence.existingClaim", "my-ledger")
                    .set("deployment.podDisruptionBudget.enabled", true)
                    .set(
                        "deployment.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn",
                        "arn:aws:iam::123456789012:role/aicost"));
    PodSpec p2 = r.one(Deployment.class, "-central").getSpec().getTemplate().getSpec();
    assertEquals("my-ledger", volume(p2, "state").getPersistentVolumeClaim().getClaimName());
    assertTrue(r.all(PersistentVolumeClaim.class).isEmpty());
    assertEquals(1, r.all(PodDisruptionBudget.class).size());
    ServiceAccount sa = r.one(ServiceAccount.class, "-central");
    assertEquals(p2.getServiceAccountName(), sa.getMetadata().getName());
    assertEquals(
        "arn:aws:iam::123456789012:role/aicost",
        sa.getMetadata().getAnnotations().get("eks.amazonaws.com/role-arn"));

    Rendered off = render(t -> t.set("deployment.enabled", false));
    assertTrue(off.all(Deployment.class).isEmpty());
    assertTrue(off.all(PersistentVolumeClaim.class).isEmpty());
    assertEquals(1, off.all(DaemonSet.class).size());
  }

  @Test
  void renderedConfigsLoadAndValidateInTheExporter() throws Exception {
    for (String suffix : List.of("-node", "-central")) {
      String yaml = defaults.one(ConfigMap.class, suffix).getData().get("config.yml");
      ExporterConfig cfg = new ConfigLoader().parse(yaml);
      assertEquals(List.of(), new ConfigValidator().validate(cfg), suffix + ":\n" + yaml);
      assertEquals("/var/lib/aicost/aicost.db", cfg.state().path());
      assertEquals(":10042", cfg.server().listen());
    }
    ExporterConfig node =
        new ConfigLoader()
            .parse(defaults.one(ConfigMap.class, "-node").getData().get("config.yml"));
    assertEquals("NODE_NAME", node.sources().vllmDiscovery().nodeNameEnv());
    assertEquals("app.kubernetes.io/name=vllm", node.sources().vllmDiscovery().labelSelector());
    assertFalse(node.sources().vllmDiscovery().gpuCountFromPod(), "NVML books the node's GPUs");
    ExporterConfig central =
        new ConfigLoader()
            .parse(defaults.one(ConfigMap.class, "-central").getData().get("config.yml"));
    assertNull(central.sources().vllmDiscovery(), "discovery runs on the nodes only");
    assertEquals("false", central.sources().nvml().enabled());
  }

  @Test
  void discoveryRbacIsReadOnlyPodsClusterWideOrPerNamespace() throws IOException {
    ClusterRole role = defaults.one(ClusterRole.class, "-discovery");
    assertEquals(1, role.getRules().size());
    PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of(""), rule.getApiGroups());
    assertEquals(List.of("pods"), rule.getResources());
    assertEquals(List.of("get", "list", "watch"), rule.getVerbs());
    ClusterRoleBinding b = defaults.one(ClusterRoleBinding.class, "-discovery");
    String sa =
        defaults
            .one(DaemonSet.class, "-node")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getServiceAccountName();
    assertEquals(sa, b.getSubjects().get(0).getName());
    assertEquals("monitoring", b.getSubjects().get(0).getNamespace());

    Rendered r =
        render(
            t -> t.set("discovery.namespaces[0]", "llm-a").set("discovery.namespaces[1]", "llm-b"));
    assertTrue(r.all(ClusterRole.class).isEmpty());
    assertEquals(
        List.of("llm-a", "llm-b"),
        r.all(Role.class).stream().map(x -> x.getMetadata().getNamespace()).toList());
    for (Role x : r.all(Role.class))
      assertEquals(List.of("get", "list", "watch"), x.getRules().get(0).getVerbs());
    assertEquals(2, r.all(RoleBinding.class).size());

    Rendered off = render(t -> t.set("discovery.enabled", false));
    assertTrue(off.all(ClusterRole.class).isEmpty());
    assertFalse(
        off.one(DaemonSet.class, "-node")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getAutomountServiceAccountToken(),
        "no API token in a pod that calls no API");
  }

  @Test
  void serviceMonitorOrPodMonitorWithTheNodeLabel() throws IOException {
    ServiceMonitor sm = defaults.one(ServiceMonitor.class, "cost-aicost-exporter");
    var ep = sm.getSpec().getEndpoints().get(0);
    assertEquals("http", ep.getPort());
    assertEquals("node", ep.getRelabelings().get(0).getTargetLabel());
    assertEquals(
        List.of("__meta_kubernetes_pod_node_name"), ep.getRelabelings().get(0).getSourceLabels());
    // the monitor selects both workloads' Services
    for (Service s : defaults.all(Service.class))
      assertTrue(
          s.getMetadata()
              .getLabels()
              .entrySet()
              .containsAll(sm.getSpec().getSelector().getMatchLabels().entrySet()));
    assertEquals(2, defaults.all(Service.class).size());

    Rendered r =
        render(t -> t.set("monitor.kind", "PodMonitor").set("monitor.labels.release", "kps"));
    assertTrue(r.all(ServiceMonitor.class).isEmpty());
    PodMonitor pm = r.one(PodMonitor.class, "cost-aicost-exporter");
    assertEquals("http", pm.getSpec().getPodMetricsEndpoints().get(0).getPort());
    assertEquals("kps", pm.getMetadata().getLabels().get("release"));

    Rendered off = render(t -> t.set("monitor.enabled", false));
    assertTrue(off.all(ServiceMonitor.class).isEmpty());
    assertTrue(off.all(PodMonitor.class).isEmpty());
  }

  @Test
  void prometheusRuleIsTheRepositoryRules(@TempDir Path tmp) throws Exception {
    PrometheusRule rule = defaults.one(PrometheusRule.class, "cost-aicost-exporter");
    assertFalse(rule.getSpec().getGroups().isEmpty());
    // compared as rendered (the typed model writes expr as an int-or-string object)
    JsonNode rendered =
        defaults.trees().stream()
            .filter(t -> t.path("kind").asText().equals("PrometheusRule"))
            .findFirst()
            .orElseThrow()
            .path("spec")
            .path("groups");
    List<JsonNode> expected = new ArrayList<>();
    for (String f : List.of("alert-rules/rules.yml", "alert-rules/alerts.yml"))
      YAML.readTree(Tools.ROOT.resolve(f).toFile()).get("groups").forEach(expected::add);
    assertEquals(YAML.valueToTree(expected), rendered);

    // and the extracted groups are valid Prometheus rules
    Path extracted = tmp.resolve("chart-rules.yml");
    Files.writeString(
        extracted, YAML.writeValueAsString(Map.of("groups", rendered)), StandardCharsets.UTF_8);
    String promtool =
        Tools.require("promtool", "Debian's 'prometheus' package (promtool)").toString();
    Tools.runOk(promtool, "check", "rules", extracted.toString());
  }

  /**
   * The typed model writes absent optional fields as nothing; numbers in the files stay as read.
   */
  private static JsonNode normalise(JsonNode groups) throws IOException {
    return YAML.readTree(YAML.writeValueAsString(groups));
  }

  @Test
  void everyDashboardIsAConfigMapForTheSidecar() throws IOException {
    TreeSet<String> files = new TreeSet<>(Tools.glob("dashboards", ".json"));
    assertFalse(files.isEmpty());
    List<ConfigMap> maps =
        defaults.all(ConfigMap.class).stream()
            .filter(m -> "1".equals(m.getMetadata().getLabels().get("grafana_dashboard")))
            .toList();
    assertEquals(files.size(), maps.size());
    for (String f : files) {
      String name = Path.of(f).getFileName().toString();
      ConfigMap m =
          maps.stream().filter(x -> x.getData().containsKey(name)).findFirst().orElseThrow();
      String original = Files.readString(Tools.ROOT.resolve("dashboards").resolve(name));
      assertEquals(original.strip(), m.getData().get(name).strip(), name);
    }
    Rendered r =
        render(
            t ->
                t.set("dashboards.label", "grafana_dashboard_aicost")
                    .set("dashboards.labelValue", "yes")
                    .set("dashboards.namespace", "grafana"));
    List<ConfigMap> moved =
        r.all(ConfigMap.class).stream()
            .filter(m -> "yes".equals(m.getMetadata().getLabels().get("grafana_dashboard_aicost")))
            .toList();
    assertEquals(files.size(), moved.size());
    assertTrue(moved.stream().allMatch(m -> "grafana".equals(m.getMetadata().getNamespace())));
  }

  @Test
  void noSecretValueIsRenderedInClearText() throws IOException {
    String hash = "$2y$10$Zm9vYmFyYmF6cXV4cXV1eOq0l0mR3i0qXc5dDk2y3r1bX9fC4lLhW";
    Rendered r =
        render(
            t ->
                t.set("webConfig.content.basic_auth_users.prometheus", hash)
                    .set("deployment.secretEnv[0].name", "OPENAI_ADMIN_KEY")
                    .set("deployment.secretEnv[0].secretName", "openai-admin")
                    .set("deployment.secretEnv[0].key", "key"));
    assertFalse(r.text().contains(hash), "the web config's content is base64 in a Secret");
    Secret web = r.one(Secret.class, "-web-config");
    String decoded =
        new String(Base64.getDecoder().decode(web.getData().get("web-config.yml")), "UTF-8");
    assertTrue(decoded.contains(hash), decoded);
    for (String suffix : List.of("-node", "-central")) {
      PodSpec pod =
          suffix.equals("-node")
              ? r.one(DaemonSet.class, suffix).getSpec().getTemplate().getSpec()
              : r.one(Deployment.class, suffix).getSpec().getTemplate().getSpec();
      assertTrue(
          exporter(pod).getArgs().contains("--web.config.file=/etc/aicost-web/web-config.yml"));
      assertEquals(
          web.getMetadata().getName(), volume(pod, "web-config").getSecret().getSecretName());
      assertNotNull(
          exporter(pod).getReadinessProbe().getTcpSocket(), "basic auth would 401 an HTTP probe");
    }
    Container central =
        exporter(r.one(Deployment.class, "-central").getSpec().getTemplate().getSpec());
    EnvVar key = env(central, "OPENAI_ADMIN_KEY");
    assertNull(key.getValue());
    assertEquals("openai-admin", key.getValueFrom().getSecretKeyRef().getName());
    for (JsonNode t : r.trees())
      if (t.path("kind").asText().equals("Secret"))
        assertTrue(t.path("stringData").isMissingNode(), "stringData is clear text: " + t);
    // an existing Secret instead: the chart renders none
    Rendered existing = render(t -> t.set("webConfig.existingSecret", "my-web-config"));
    assertTrue(existing.all(Secret.class).isEmpty());
    assertEquals(
        "my-web-config",
        volume(
                existing.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec(),
                "web-config")
            .getSecret()
            .getSecretName());
  }

  @Test
  void schemaRejectsAWrongType() {
    for (String[] kv :
        new String[][] {
          {"port", "http"},
          {"daemonset.hostPID", "sometimes"},
          {"monitor.kind", "Probe"},
          {"discovery.interval", "fifteen"},
          {"dashboards.enabled", "[1]"},
        }) {
      Exception e = assertThrows(Exception.class, () -> render(t -> t.set(kv[0], kv[1])), kv[0]);
      assertTrue(e.getMessage().contains("schema"), kv[0] + ": " + e.getMessage());
    }
    Exception typo =
        assertThrows(Exception.class, () -> render(t -> t.set("daemonset.hostPid", true)));
    assertTrue(typo.getMessage().contains("hostPid"), typo.getMessage());
  }

  private static void assertSecure(PodSpec pod, Container c) {
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertEquals(10042L, pod.getSecurityContext().getRunAsUser());
    assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
    assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
    assertNotNull(volume(pod, "tmp").getEmptyDir(), "JNA and SQLite unpack native code to /tmp");
    assertEquals("/-/ready", c.getReadinessProbe().getHttpGet().getPath());
  }

  private static Container exporter(PodSpec pod) {
    return pod.getContainers().stream()
        .filter(c -> c.getName().equals("exporter"))
        .findFirst()
        .orElseThrow();
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name + " in " + c.getEnv()));
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
