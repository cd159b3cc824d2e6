package dev.aicost.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --demo: Bedrock dollars from the simulated CloudWatch, through the real SDK and sources. */
class SimulatedCloudWatchTest {
  @TempDir Path dir;

  @Test
  void theDemoShowsBedrockSpendAndItsLateMinutesAreCountedOnce() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:30Z"));
    try (RunningExporter ex =
        new RunningExporter("state: { path: " + dir.resolve("d.db") + " }\n", null, clock, true)) {
      ex.awaitFirstRuns();
      String first = ex.text("/metrics");
      double usd = sum(first, "aicost_spend_usd_total\\{[^}]*provider=\"aws\"[^}]*\\}");
      assertTrue(usd > 0, first);
      assertTrue(first.contains("aicost_collector_success{collector=\"bedrock/us-east-1\"} 1.0"));
      // the demo's application inference profile is resolved to its model and priced
      assertTrue(
          sum(
                  first,
                  "aicost_spend_usd_total\\{[^}]*model=\"us.anthropic.claude-3-5-haiku-20241022-v1:0\"[^}]*provider=\"aws\"[^}]*\\}")
              > 0,
          first);
      assertEquals(
          0.0, sum(first, "aicost_unpriced_tokens_total\\{[^}]*provider=\"aws\"[^}]*\\}"), first);
      assertFalse(first.contains("model=\"arn:"), first);
      double input =
          sum(
              first,
              "aicost_tokens_total\\{[^}]*provider=\"aws\"[^}]*token_type=\"input\"[^}]*\\}");
      // ten minutes on, the recent minutes reported at 60 % have been filled in: a minute counts
      // its whole value once, never its partial value on top
      clock.advance(Duration.ofMinutes(10));
      ex.collect("bedrock/us-east-1");
      String later = ex.text("/metrics");
      double input2 =
          sum(
              later,
              "aicost_tokens_total\\{[^}]*provider=\"aws\"[^}]*token_type=\"input\"[^}]*\\}");
      assertTrue(input2 > input, later);
      assertEquals(
          0.0,
          sum(later, "aicost_collector_errors_total\\{collector=\"bedrock/us-east-1\"[^}]*\\}"),
          later);
    }
  }

  static double sum(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)").matcher(metrics);
    double s = 0;
    while (m.find()) s += Double.parseDouble(m.group(1));
    return s;
  }
}
