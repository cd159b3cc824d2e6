package dev.aicost.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import dev.aicost.testing.Tools;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lints every Grafana dashboard: import-ready (__inputs, __requires), stable unique uids, the
 * datasource variable used by every panel and query, a unit and a query on every data panel, and
 * only metric names the exporter defines (dev.aicost.metrics.Metrics) or recording rules from
 * alert-rules/rules.yml.
 */
class DashboardLintTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> DS_REFS = Set.of("${datasource}", "$datasource");

  /** The attribution tags the README leads with, then provider, model, deployment, instance. */
  private static final List<String> DOMAIN_VARIABLES =
      List.of(
          "job",
          "instance",
          "team",
          "project",
          "app_env",
          "cost_center",
          "feature",
          "provider",
          "model",
          "deployment");

  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern IDENT = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

  static Stream<Path> dashboards() throws Exception {
    return Tools.glob("dashboards", ".json").stream().map(Tools.ROOT::resolve);
  }

  /** Exposed names: counters with _total, info families with _info, gauges as they are. */
  static Set<String> exposedNames() throws IllegalAccessException {
    Set<String> names = new TreeSet<>();
    for (Field f : Metrics.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == Family.class) {
        Family family = (Family) f.get(null);
        names.add(family.exposedName());
      }
    }
    return names;
  }

  static Set<String> recordingRules() throws Exception {
    JsonNode rules =
        new YAMLMapper().readTree(Tools.ROOT.resolve("alert-rules/rules.yml").toFile());
    Set<String> names = new TreeSet<>();
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.has("record")) names.add(rule.get("record").asText());
      }
    }
    return names;
  }

  /**
   * Every aicost metric or recording rule name an expression uses (string literals removed first).
   */
  static Set<String> metricNames(String expr) {
    Set<String> out = new TreeSet<>();
    Matcher m = IDENT.matcher(STRING.matcher(expr).replaceAll("\"\""));
    while (m.find()) {
      String id = m.group();
      if (id.startsWith("aicost_") || id.contains(":aicost_")) out.add(id);
    }
    return out;
  }

  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      for (JsonNode nested : p.path("panels"))
        out.add(nested); // collapsed rows keep their panels inside
    }
    return out;
  }

  @Test
  void thereAreFourDashboardsWithUniqueShortUids() throws Exception {
    Set<String> uids = new HashSet<>();
    List<Path> all = dashboards().toList();
    assertTrue(all.size() >= 4, "expected the four dashboards of the bundle, found " + all);
    for (Path p : all) {
      String uid = JSON.readTree(p.toFile()).path("uid").asText();
      assertFalse(uid.isEmpty(), p + ": uid missing");
      assertTrue(uid.length() <= 40, p + ": uid longer than 40 characters: " + uid);
      assertTrue(uids.add(uid), p + ": duplicate uid " + uid);
    }
  }

  @Test
  void lintRecognisesNamesCorrectly() throws Exception {
    assertEquals(
        Set.of("aicost_spend_usd_total", "x:aicost_spend_usd:rate5m"),
        metricNames(
            "sum(rate(aicost_spend_usd_total{model=\"aicost_not_a_metric\"}[5m])) / x:aicost_spend_usd:rate5m"));
    Set<String> exposed = exposedNames();
    assertTrue(exposed.contains("aicost_spend_usd_total"), exposed.toString());
    assertTrue(exposed.contains("aicost_gpu_info"), exposed.toString());
    assertTrue(exposed.contains("aicost_build_info"), exposed.toString());
    assertTrue(exposed.contains("aicost_cache_hit_ratio"), exposed.toString());
  }

  @ParameterizedTest
  @MethodSource("dashboards")
  void dashboardIsImportReady(Path path) throws Exception {
    JsonNode d = JSON.readTree(path.toFile());
    String name = path.getFileName().toString();
    boolean hasInput = false;
    for (JsonNode in : d.path("__inputs")) {
      hasInput |=
          "DS_PROMETHEUS".equals(in.path("name").asText())
              && "prometheus".equals(in.path("pluginId").asText());
    }
    assertTrue(hasInput, name + ": __inputs needs a DS_PROMETHEUS prometheus input");
    assertTrue(
        d.path("__requires").isArray() && d.path("__requires").size() > 0,
        name + ": __requires missing");
    List<String> tags = new ArrayList<>();
    d.path("tags").forEach(t -> tags.add(t.asText()));
    assertTrue(tags.contains("aicost"), name + ": tag aicost missing");
    assertFalse(d.path("title").asText().isEmpty(), name + ": title missing");

    JsonNode vars = d.path("templating").path("list");
    boolean hasDatasource = false;
    Set<String> varNames = new HashSet<>();
    for (JsonNode v : vars) {
      varNames.add(v.path("name").asText());
      if ("datasource".equals(v.path("name").asText())) {
        hasDatasource =
            "datasource".equals(v.path("type").asText())
                && "prometheus".equals(v.path("query").asText());
      } else if ("query".equals(v.path("type").asText())) {
        assertTrue(
            DS_REFS.contains(v.path("datasource").path("uid").asText()),
            name + ": variable " + v.path("name") + " must use ${datasource}");
        if (v.path("includeAll").asBoolean()) {
          assertEquals(
              ".*",
              v.path("allValue").asText(),
              name + ": variable " + v.path("name") + " needs allValue .*");
        }
      }
    }
    assertTrue(
        hasDatasource,
        name + ": a `datasource` variable of type datasource (prometheus) is required");
    assertTrue(
        varNames.containsAll(List.of("job", "instance")),
        name + ": job and instance variables are required");
    if (!name.contains("health")) {
      assertTrue(
          varNames.containsAll(DOMAIN_VARIABLES),
          name + ": needs variables " + DOMAIN_VARIABLES + ", has " + varNames);
    }
  }

  @ParameterizedTest
  @MethodSource("dashboards")
  void everyPanelUsesTheDatasourceVariableHasAUnitAndAQuery(Path path) throws Exception {
    JsonNode d = JSON.readTree(path.toFile());
    String name = path.getFileName().toString();
    Set<Integer> ids = new HashSet<>();
    int dataPanels = 0;
    for (JsonNode p : panels(d)) {
      String type = p.path("type").asText();
      String title = name + " / " + p.path("title").asText();
      assertTrue(ids.add(p.path("id").asInt()), title + ": duplicate panel id");
      if (type.equals("row")) continue;
      assertTrue(
          p.path("description").asText().length() >= 40,
          title
              + ": a description (what it shows, how to read it, which alert relates) is required");
      assertTrue(
          DS_REFS.contains(p.path("datasource").path("uid").asText()),
          title + ": panel datasource must be ${datasource}");
      if (type.equals("text")) continue;
      dataPanels++;
      assertFalse(
          p.path("fieldConfig").path("defaults").path("unit").asText().isEmpty(),
          title + ": unit missing");
      JsonNode targets = p.path("targets");
      assertTrue(targets.isArray() && targets.size() > 0, title + ": no query");
      for (JsonNode t : targets) {
        assertTrue(
            DS_REFS.contains(t.path("datasource").path("uid").asText()),
            title + ": target datasource must be ${datasource}");
        assertFalse(t.path("expr").asText().isBlank(), title + ": empty expression");
      }
    }
    assertTrue(dataPanels > 0, name + ": no data panels");
  }

  @ParameterizedTest
  @MethodSource("dashboards")
  void everyMetricNameIsDefinedByTheExporterOrARecordingRule(Path path) throws Exception {
    JsonNode d = JSON.readTree(path.toFile());
    Set<String> known = new TreeSet<>(exposedNames());
    known.addAll(recordingRules());
    List<String> unknown = new ArrayList<>();
    List<String> exprs = new ArrayList<>();
    for (JsonNode p : panels(d)) {
      for (JsonNode t : p.path("targets")) exprs.add(t.path("expr").asText());
    }
    for (JsonNode v : d.path("templating").path("list")) {
      if (v.has("definition")) exprs.add(v.path("definition").asText());
    }
    for (String e : exprs) {
      for (String metric : metricNames(e)) {
        if (!known.contains(metric)) unknown.add(metric + "  in  " + e);
      }
    }
    assertTrue(
        unknown.isEmpty(),
        path.getFileName()
            + ": names not defined by Metrics or rules.yml:\n"
            + String.join("\n", unknown));
  }

  /**
   * Windows longer than a day read the hourly buckets of rules.yml, never 30 days of raw samples.
   */
  @ParameterizedTest
  @MethodSource("dashboards")
  void noPanelReadsMoreThanADayOfRawSamples(Path path) throws Exception {
    JsonNode d = JSON.readTree(path.toFile());
    List<String> over = new ArrayList<>();
    for (JsonNode p : panels(d)) {
      for (JsonNode t : p.path("targets")) {
        for (String r : BundleToolsTest.rawRangesOverADay(t.path("expr").asText()))
          over.add(p.path("title").asText() + ": " + r);
      }
    }
    assertTrue(
        over.isEmpty(),
        path.getFileName()
            + ": panels reading more than 1d of raw samples:\n"
            + String.join("\n", over));
  }

  @Test
  void rulesOnlyUseMetricsTheExporterDefines() throws Exception {
    Set<String> known = new TreeSet<>(exposedNames());
    known.addAll(recordingRules());
    List<String> unknown = new ArrayList<>();
    for (String file : List.of("alert-rules/rules.yml", "alert-rules/alerts.yml")) {
      JsonNode rules = new YAMLMapper().readTree(Tools.ROOT.resolve(file).toFile());
      for (JsonNode group : rules.path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          String expr = rule.path("expr").asText();
          for (String metric : metricNames(expr)) {
            if (!known.contains(metric)) unknown.add(file + ": " + metric);
          }
        }
      }
    }
    assertTrue(unknown.isEmpty(), "unknown metric names in rules:\n" + String.join("\n", unknown));
  }
}
