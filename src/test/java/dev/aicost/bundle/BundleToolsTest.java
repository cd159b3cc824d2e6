package dev.aicost.bundle;

import dev.aicost.testing.Tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The bundle's rules, alert tests, Alertmanager config and compose file pass their own tools. */
class BundleToolsTest {
  private static final String PROMETHEUS_HINT = "Debian's 'prometheus' package (promtool)";

  @Test
  void rulesPassPromtoolCheck() throws Exception {
    String promtool = Tools.require("promtool", PROMETHEUS_HINT).toString();
    String out = Tools.runOk(promtool, "check", "rules", "alert-rules/rules.yml", "alert-rules/alerts.yml");
    assertTrue(out.contains("SUCCESS"), out);
  }

  @Test
  void ruleUnitTestsPass() throws Exception {
    String promtool = Tools.require("promtool", PROMETHEUS_HINT).toString();
    List<String> tests = Tools.glob("alert-rules/tests", ".yml");
    assertFalse(tests.isEmpty(), "no promtool tests in alert-rules/tests");
    List<String> cmd = new ArrayList<>(List.of(promtool, "test", "rules"));
    cmd.addAll(tests);
    Tools.Result r = Tools.run(cmd);
    if (r.exitCode() != 0) throw new AssertionError("promtool test rules failed:\n" + r.output());
    assertFalse(r.output().contains("FAILED"), r.output());
  }

  @Test
  void everyAlertHasARunbookAndAFiringTest() throws Exception {
    String alerts = Files.readString(Tools.ROOT.resolve("alert-rules/alerts.yml"));
    StringBuilder tests = new StringBuilder();
    for (String t : Tools.glob("alert-rules/tests", ".yml")) tests.append(Files.readString(Tools.ROOT.resolve(t)));
    var m = Pattern.compile("(?m)^\\s*- alert: (\\w+)").matcher(alerts);
    List<String> names = new ArrayList<>();
    while (m.find()) names.add(m.group(1));
    assertTrue(names.size() >= 10, "expected at least 10 alerts, found " + names);
    for (String name : names) {
      assertTrue(name.startsWith("AiCost"), name + ": alerts share the AiCost prefix");
      assertTrue(Files.isRegularFile(Tools.ROOT.resolve("docs/runbooks/" + name + ".md")), "missing docs/runbooks/" + name + ".md");
      assertTrue(alerts.contains("docs/runbooks/" + name + ".md"), name + ": runbook_url");
      // a firing case: the alertname followed by expected alerts with labels and annotations
      var firing = Pattern.compile("alertname: " + name + "\\n\\s+exp_alerts:\\n\\s+- exp_labels:[\\s\\S]*?exp_annotations:")
          .matcher(tests);
      assertTrue(firing.find(), name + ": no promtool case where it fires with exp_labels and exp_annotations");
      assertTrue(tests.indexOf("alertname: " + name + "\n        exp_alerts: []") >= 0, name + ": no quiet promtool case");
    }
  }

  @Test
  void alertmanagerConfigIsValid() throws Exception {
    String amtool = Tools.require("amtool", "Debian's 'prometheus-alertmanager' package (amtool)").toString();
    Tools.runOk(amtool, "check-config", "deploy/alertmanager.yml");
  }

  @Test
  void composeFileIsValid() throws Exception {
    // docker-compose is optional even in CI: the CI image installs Prometheus tools, not Docker.
    var compose = Tools.find("docker-compose");
    org.junit.jupiter.api.Assumptions.assumeTrue(compose.isPresent(),
        "docker-compose not found on PATH: skipping `docker-compose config -q` (install Debian's 'docker-compose')");
    Tools.runOk(compose.get().toString(), "-f", "docker-compose.yml", "config", "-q");
  }
}
