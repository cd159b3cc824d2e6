package dev.aicost.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --demo} shows managed spend: the simulated OpenAI organisation read by the real OpenAI
 * source, its usage growing between polls, its made-up key nowhere to be seen.
 */
class SimulatedOpenAiTest {
  @TempDir Path dir;

  static double openAi(String metrics, String family) {
    double sum = 0;
    for (String l : metrics.split("\n"))
      if (l.startsWith(family + "{") && l.contains("provider=\"openai\""))
        sum += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
    return sum;
  }

  @Test
  void theDemoShowsGrowingManagedSpendWithoutShowingItsKey() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    PrintStream err = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
    String key;
    String before, after, status;
    try (RunningExporter ex =
        new RunningExporter(
            "state: { path: " + dir.resolve("demo.db") + " }\n", null, clock, true)) {
      ex.awaitFirstRuns();
      key = ex.exporter.demo().openAiKeyForTests();
      before = ex.text("/metrics");
      clock.advance(Duration.ofMinutes(3));
      ex.collect("openai");
      after = ex.text("/metrics");
      status = ex.text("/");
    } finally {
      System.setErr(err);
    }
    // 30 minutes of history at the first poll: some dollars, all four groups' tokens
    double spend = openAi(before, "aicost_spend_usd_total");
    assertTrue(spend > 0.1, before);
    assertTrue(before.contains("model=\"text-embedding-3-small\""), before);
    assertTrue(before.contains("team=\"support\""), "demo attribution rules map the projects");
    assertTrue(openAi(after, "aicost_tokens_total") > openAi(before, "aicost_tokens_total"));
    assertEquals(
        1.0,
        Double.parseDouble(
            after
                .lines()
                .filter(l -> l.startsWith("aicost_collector_success{collector=\"openai\"}"))
                .findFirst()
                .orElseThrow()
                .split(" ")[1]));
    assertTrue(openAi(after, "aicost_billed_usd") > 0, "the simulated bill");
    assertEquals(0, openAi(after, "aicost_unpriced_tokens_total"), "the demo prices every token");
    assertTrue(key.startsWith("sk-admin-demo-") && key.length() > 40);
    String log = logs.toString(StandardCharsets.UTF_8);
    assertFalse(log.contains(key), log);
    assertFalse(after.contains(key) || status.contains(key));
  }
}
