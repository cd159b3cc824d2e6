package dev.aicost.source.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeOpenAiServer;
import dev.aicost.testing.FakeOpenAiServer.Row;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI source in the whole exporter against the fake OpenAI server: tokens and dollars at
 * list prices through pricing, attribution and the ledger; the bill; a restart; and the admin key
 * never in a log line, {@code /metrics} or the status page, whatever fails.
 */
class OpenAiExporterTest {
  static final String KEY = "sk-admin-E2E-do-not-leak-7f3a9c";
  static final Instant NOW = Instant.parse("2026-11-23T10:30:00Z");
  static final long H09 = Instant.parse("2026-11-23T09:00:00Z").getEpochSecond();

  @TempDir Path dir;

  String yaml(FakeOpenAiServer fake, Path keyFile) {
    return """
        state: { path: %s }
        sources:
          nvml: { enabled: false }
          openai: { admin_key_file: %s, base_url: "%s", interval: 1h }
        attribution:
          rules:
            - { match: { provider: openai, project_id: proj_A }, set: { team: search } }
        """
        .formatted(dir.resolve("l.db"), keyFile, fake.baseUrl());
  }

  static double value(String metrics, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
    if (!m.find()) throw new AssertionError("no series " + series + " in\n" + metrics);
    return Double.parseDouble(m.group(1));
  }

  static String line(String metrics, String prefix, String... contains) {
    for (String l : metrics.split("\n")) {
      if (!l.startsWith(prefix)) continue;
      boolean all = true;
      for (String c : contains) all &= l.contains(c);
      if (all) return l;
    }
    throw new AssertionError("no " + prefix + " line with " + String.join(",", contains));
  }

  static double lineValue(String l) {
    return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
  }

  @Test
  void gpt4oAtListPricesThroughThePipelineAndRestartSafe() throws Exception {
    Path keyFile = dir.resolve("openai.key");
    Files.writeString(keyFile, KEY + "\n");
    MutableClock clock = new MutableClock(NOW);
    try (FakeOpenAiServer fake = new FakeOpenAiServer(KEY)) {
      // 1,000,000 input tokens of which 200,000 cached: 800k x $2.50/1M + 200k x $1.25/1M = $2.25
      fake.set("completions", H09, Row.of("gpt-4o", 1_000_000, 200_000, 0, 10));
      fake.cost(LocalDate.of(2026, 11, 22), "gpt-4o, input", 4.5);
      try (RunningExporter ex = new RunningExporter(yaml(fake, keyFile), null, clock, false)) {
        ex.awaitFirstRuns();
        String m = ex.text("/metrics");
        String input =
            line(m, "aicost_tokens_total{", "provider=\"openai\"", "token_type=\"input\"");
        assertEquals(800_000, lineValue(input), input);
        assertTrue(input.contains("team=\"search\""), input);
        assertTrue(input.contains("ai_service=\"completions\""), input);
        assertFalse(input.contains("proj_A"), "raw ids never become labels: " + input);
        assertEquals(
            200_000,
            lineValue(
                line(
                    m,
                    "aicost_tokens_total{",
                    "provider=\"openai\"",
                    "token_type=\"cache_read\"")));
        double usd = 0;
        for (String l : m.split("\n"))
          if (l.startsWith("aicost_spend_usd_total{") && l.contains("provider=\"openai\""))
            usd += lineValue(l);
        assertEquals(2.25, usd, 1e-9, m);
        assertEquals(
            4.5,
            lineValue(
                line(m, "aicost_billed_usd{", "provider=\"openai\"", "window=\"yesterday\"")));
        assertEquals(1.0, lineValue(line(m, "aicost_collector_success{", "collector=\"openai\"")));
      }
      // restart on the same ledger: the checkpoint says the bucket is counted; it grows by 100k
      fake.set("completions", H09, Row.of("gpt-4o", 1_100_000, 200_000, 0, 11));
      clock.advance(Duration.ofMinutes(5));
      try (RunningExporter ex = new RunningExporter(yaml(fake, keyFile), null, clock, false)) {
        ex.awaitFirstRuns();
        String m = ex.text("/metrics");
        assertEquals(
            900_000,
            lineValue(
                line(m, "aicost_tokens_total{", "provider=\"openai\"", "token_type=\"input\"")));
      }
    }
  }

  @Test
  void theKeyNeverAppearsInLogsMetricsOrTheStatusPage() throws Exception {
    Path keyFile = dir.resolve("openai.key");
    Files.writeString(keyFile, KEY);
    MutableClock clock = new MutableClock(NOW);
    PrintStream err = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
    StringBuilder served = new StringBuilder();
    try (FakeOpenAiServer fake = new FakeOpenAiServer(KEY)) {
      fake.set("completions", H09, Row.of("gpt-4o", 1000, 0, 10, 1));
      try (RunningExporter ex = new RunningExporter(yaml(fake, keyFile), null, clock, false)) {
        ex.awaitFirstRuns();
        fake.failOnce("completions", 0, 429, "1");
        ex.collect("openai");
        clock.advance(Duration.ofMinutes(1));
        fake.failOnce("completions", 0, 500, null);
        ex.collect("openai");
        fake.bodyOnce("completions", 0, "{\"data\": [ " + KEY); // an upstream echoing it back
        ex.collect("openai");
        fake.revoked(true);
        ex.collect("openai");
        served.append(ex.text("/metrics")).append(ex.text("/")).append(ex.text("/api/v1/status"));
        assertTrue(
            served
                .toString()
                .contains("aicost_collector_errors_total{collector=\"openai\",reason=\"auth\"} 1"),
            served.toString());
        Files.delete(keyFile); // a key that goes missing
        ex.collect("openai");
        served.append(ex.text("/metrics")).append(ex.text("/"));
      }
    } finally {
      System.setErr(err);
    }
    String log = logs.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("reason=auth"), log);
    assertTrue(log.contains("reason=config"), log);
    assertTrue(log.contains("reason=rate_limited"), log);
    assertTrue(log.contains("reason=parse"), log);
    assertTrue(log.contains(keyFile.toString()), "the message names the file: " + log);
    assertFalse(log.contains(KEY), log);
    assertFalse(log.contains("do-not-leak"), log);
    assertFalse(served.toString().contains("do-not-leak"), served.toString());
  }
}
