package dev.aicost.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aicost.testing.Tools;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The bundle's rules, alert tests, Alertmanager config and compose file pass their own tools. */
class BundleToolsTest {
  private static final String PROMETHEUS_HINT = "Debian's 'prometheus' package (promtool)";

  @Test
  void rulesPassPromtoolCheck() throws Exception {
    String promtool = Tools.require("promtool", PROMETHEUS_HINT).toString();
    String out =
        Tools.runOk(promtool, "check", "rules", "alert-rules/rules.yml", "alert-rules/alerts.yml");
    assertTrue(out.contains("SUCCESS"), out);
  }

  @Test
  void ruleUnitTestsPass() throws Exception {
    String promtool = Tools.require("promtool", PROMETHEUS_HINT).toString();
    List<String> tests = Tools.glob("alert-rules/tests", ".yml");
    assertFalse(tests.isEmpty(), "no promtool tests in alert-rules/tests");
    // one file per run: each gets Tools.run's time limit (the month-long cases take a while on a
    // loaded machine) and a failure names its file
    for (String test : tests) {
      Tools.Result r = Tools.run(List.of(promtool, "test", "rules", test));
      if (r.exitCode() != 0)
        throw new AssertionError("promtool test rules " + test + " failed:\n" + r.output());
      assertFalse(r.output().contains("FAILED"), r.output());
    }
  }

  @Test
  void everyAlertHasARunbookAndAFiringTest() throws Exception {
    String alerts = Files.readString(Tools.ROOT.resolve("alert-rules/alerts.yml"));
    StringBuilder tests = new StringBuilder();
    for (String t : Tools.glob("alert-rules/tests", ".yml"))
      tests.append(Files.readString(Tools.ROOT.resolve(t)));
    var m = Pattern.compile("(?m)^\\s*- alert: (\\w+)").matcher(alerts);
    List<String> names = new ArrayList<>();
    while (m.find()) names.add(m.group(1));
    assertTrue(names.size() >= 10, "expected at least 10 alerts, found " + names);
    for (String name : names) {
      assertTrue(name.startsWith("AiCost"), name + ": alerts share the AiCost prefix");
      assertTrue(
          Files.isRegularFile(Tools.ROOT.resolve("docs/runbooks/" + name + ".md")),
          "missing docs/runbooks/" + name + ".md");
      assertTrue(alerts.contains("docs/runbooks/" + name + ".md"), name + ": runbook_url");
      // a firing case: the alertname followed by expected alerts with labels and annotations
      var firing =
          Pattern.compile(
                  "alertname: "
                      + name
                      + "\\n\\s+exp_alerts:\\n\\s+- exp_labels:[\\s\\S]*?exp_annotations:")
              .matcher(tests);
      assertTrue(
          firing.find(),
          name + ": no promtool case where it fires with exp_labels and exp_annotations");
      assertTrue(
          tests.indexOf("alertname: " + name + "\n        exp_alerts: []") >= 0,
          name + ": no quiet promtool case");
    }
  }

  /**
   * A range selector over a raw metric (no colon: not a recording rule): name, optional matchers,
   * [range].
   */
  private static final Pattern RAW_RANGE =
      Pattern.compile(
          "\\b(aicost_[a-zA-Z0-9_]+)\\s*(?:\\{(?:[^{}\"]|\"(?:[^\"\\\\]|\\\\.)*\")*})?\\s*\\[([0-9smhdwy]+)[]:]");

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

  static Duration promDuration(String text) {
    Matcher m = DURATION_PART.matcher(text);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) throw new IllegalArgumentException("not a duration: " + text);
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                default -> Duration.ofDays(365 * n);
              });
      end = m.end();
    }
    if (end != text.length() || end == 0)
      throw new IllegalArgumentException("not a duration: " + text);
    return d;
  }

  /** Every "metric[range]" over a raw aicost_* metric in a PromQL text whose range exceeds 1d. */
  static List<String> rawRangesOverADay(String promql) {
    List<String> out = new ArrayList<>();
    Matcher m = RAW_RANGE.matcher(promql);
    while (m.find()) {
      if (promDuration(m.group(2)).compareTo(Duration.ofDays(1)) > 0)
        out.add(m.group(1) + "[" + m.group(2) + "]");
    }
    return out;
  }

  @Test
  void rawRangeCheckRecognisesSelectors() {
    assertEquals(
        List.of("aicost_spend_usd_total[7d]", "aicost_tokens_total[1d1h]"),
        rawRangesOverADay(
            "sum(increase(aicost_spend_usd_total{team=~\"a|b\", x=\"}[9d]\"}[7d])) + rate(aicost_tokens_total[1d1h] offset 30d)"
                + " + increase(aicost_spend_usd_total[1d]) + sum_over_time(x:aicost_spend_usd:increase1h[30d])"));
    assertEquals(
        List.of("aicost_requests_total[25h]"),
        rawRangesOverADay("max_over_time(aicost_requests_total[25h:5m])"));
  }

  /**
   * At fleet scale a rule reading a week of raw samples (40,320 per series at a 15 s scrape)
   * exceeds Prometheus' query.max-samples and silently never evaluates: longer windows must sum
   * recorded buckets.
   */
  @Test
  void noRuleReadsMoreThanADayOfRawSamples() throws Exception {
    List<String> over = new ArrayList<>();
    for (String file : List.of("alert-rules/rules.yml", "alert-rules/alerts.yml")) {
      JsonNode doc = new YAMLMapper().readTree(Tools.ROOT.resolve(file).toFile());
      for (JsonNode group : doc.path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          String name =
              rule.has("record") ? rule.path("record").asText() : rule.path("alert").asText();
          List<String> texts = new ArrayList<>(List.of(rule.path("expr").asText()));
          rule.path("annotations").forEach(a -> texts.add(a.asText())); // queries inside templates
          for (String t : texts) {
            for (String r : rawRangesOverADay(t))
              over.add(file + " / " + group.path("name").asText() + " / " + name + ": " + r);
          }
        }
      }
    }
    assertTrue(
        over.isEmpty(),
        "rules reading more than 1d of raw samples (sum the hourly buckets instead):\n"
            + String.join("\n", over));
  }

  /** dashboard_url: a path relative to Grafana, to a dashboard the bundle ships. */
  @Test
  void everyAlertLinksToABundledDashboard() throws Exception {
    Set<String> uids = new TreeSet<>();
    for (String f : Tools.glob("dashboards", ".json")) {
      uids.add(new ObjectMapper().readTree(Tools.ROOT.resolve(f).toFile()).path("uid").asText());
    }
    JsonNode doc = new YAMLMapper().readTree(Tools.ROOT.resolve("alert-rules/alerts.yml").toFile());
    int alerts = 0;
    for (JsonNode group : doc.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (!rule.has("alert")) continue;
        alerts++;
        String url = rule.path("annotations").path("dashboard_url").asText();
        Matcher m =
            Pattern.compile(
                    "^/d/([A-Za-z0-9-]+)/[a-z0-9-]+\\?from=now-\\w+&to=now(&var-\\w+=[^&]+)+$")
                .matcher(url);
        assertTrue(
            m.matches(),
            rule.path("alert").asText()
                + ": dashboard_url must be /d/<uid>/<slug>?from=...&to=now&var-...: "
                + url);
        assertTrue(
            uids.contains(m.group(1)),
            rule.path("alert").asText() + ": no dashboard with uid " + m.group(1) + " in " + uids);
        assertFalse(
            url.contains("://"),
            "dashboard_url is relative to the Grafana base (deploy/alertmanager-templates): "
                + url);
      }
    }
    assertTrue(alerts >= 10, "alerts found: " + alerts);
  }

  @Test
  void alertmanagerTemplatesRender() throws Exception {
    String amtool =
        Tools.require("amtool", "Debian's 'prometheus-alertmanager' package (amtool)").toString();
    // amtool's sample data has alerts without annotations: the templates must parse and render.
    String out =
        Tools.runOk(
            amtool,
            "template",
            "render",
            "--template.glob=deploy/alertmanager-templates/*.tmpl",
            "--template.text=base={{ template \"aicost.grafana_base\" }}|{{ template \"aicost.text\" . }}");
    assertTrue(out.startsWith("base=http"), out);
    assertTrue(out.contains("dashboard:") && out.contains("runbook:"), out);
  }

  @Test
  void alertmanagerConfigIsValid() throws Exception {
    String amtool =
        Tools.require("amtool", "Debian's 'prometheus-alertmanager' package (amtool)").toString();
    Tools.runOk(amtool, "check-config", "deploy/alertmanager.yml");
  }

  /**
   * The routes docs/alerts.md promises for the managed-API and budget alerts: budgets and drift to
   * finance (critical ones paged first), a refused key paged, the exporter's API spend to the
   * platform.
   */
  @Test
  void newAlertsRouteAsDocumented() throws Exception {
    String amtool =
        Tools.require("amtool", "Debian's 'prometheus-alertmanager' package (amtool)").toString();
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put(
        "alertname=AiCostBudgetExceeded severity=critical budget=org",
        "oncall-pager,finance-cost-centers,aicost-default");
    expected.put(
        "alertname=AiCostBudgetForecastOver severity=critical budget=org",
        "oncall-pager,finance-cost-centers,aicost-default");
    expected.put(
        "alertname=AiCostBudgetForecastOver severity=warning budget=org",
        "finance-cost-centers,aicost-default");
    expected.put(
        "alertname=AiCostReconciliationDrift severity=warning provider=openai",
        "finance-cost-centers,aicost-default");
    expected.put(
        "alertname=AiCostAdminKeyRejected severity=critical job=aicost instance=m:1 collector=openai",
        "oncall-pager");
    expected.put(
        "alertname=AiCostExporterApiSpendHigh severity=warning collector=bedrock",
        "aicost-platform");
    for (var e : expected.entrySet()) {
      List<String> cmd =
          new ArrayList<>(
              List.of(amtool, "config", "routes", "test", "--config.file=deploy/alertmanager.yml"));
      cmd.addAll(List.of(e.getKey().split(" ")));
      Tools.Result r = Tools.run(cmd);
      assertEquals(0, r.exitCode(), r.output());
      // amtool prints the receivers on stdout; the output may carry a warning line as well
      assertTrue(
          r.output().lines().anyMatch(l -> l.strip().equals(e.getValue())),
          e.getKey() + " -> expected " + e.getValue() + ", got:\n" + r.output());
    }
  }

  @Test
  void composeFileIsValid() throws Exception {
    // like every tool check: skipped on a developer box without it, a failure under CI=true
    // (.ci/run installs it)
    String compose =
        Tools.require("docker-compose", "Debian's 'docker-compose' package").toString();
    Tools.runOk(compose, "-f", "docker-compose.yml", "config", "-q");
  }
}
