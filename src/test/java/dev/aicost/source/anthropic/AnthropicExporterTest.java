package dev.aicost.source.anthropic;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeAnthropicServer;
import dev.aicost.testing.FakeAnthropicServer.Usage;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole exporter with {@code sources.anthropic} against the fake Admin API: usage lands in the
 * shared token families, and the admin key never shows in a log line, {@code /metrics} or the
 * status page, neither while it works nor once it is revoked.
 */
class AnthropicExporterTest {
  @TempDir Path dir;

  @Test
  void usageIsExposedAndTheKeyNeverAppears() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
    Path keyFile = dir.resolve("anthropic.key");
    Files.writeString(keyFile, FakeAnthropicServer.KEY + "\n");
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:17:30Z"));
    String metrics, status, failedMetrics, failedStatus;
    try (FakeAnthropicServer fake = new FakeAnthropicServer();
        RunningExporter ex =
            new RunningExporter(
                """
                state: { path: %s }
                attribution:
                  rules:
                    - { match: { provider: anthropic, workspace_id: wrkspc_a }, set: { team: research } }
                    - { match: { workspace_id: default, service_tier: standard }, set: { team: support } }
                sources:
                  nvml: { enabled: false }
                  anthropic: { admin_key_file: "%s", interval: 1h, base_url: "%s" }
                """
                    .formatted(dir.resolve("l.db"), keyFile, fake.url()),
                null,
                clock,
                false)) {
      fake.usage(
          Instant.parse("2026-11-23T09:00:00Z"),
          new Usage(
              "apikey_01",
              "wrkspc_a",
              "claude-sonnet-4-5",
              "standard",
              "0-200k",
              1000,
              200,
              30,
              40,
              500));
      fake.usage(
          Instant.parse("2026-11-23T09:00:00Z"),
          new Usage("apikey_02", null, "claude-haiku-4-5", "standard", "0-200k", 10, 0, 0, 0, 5));
      fake.cost(LocalDate.parse("2026-11-23"), "123.45");
      ex.awaitFirstRuns();
      ex.collect("anthropic"); // the first run may have raced the fake's usage
      metrics = ex.text("/metrics");
      status = ex.text("/");

      fake.revoked(true);
      ex.collect("anthropic");
      failedMetrics = ex.text("/metrics");
      failedStatus = ex.text("/");
    } finally {
      System.setErr(err);
    }
    String log = logs.toString(StandardCharsets.UTF_8);
    // 5-minute and 1-hour writes together in the shared family
    assertTrue(
        metrics
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("aicost_tokens_total{ai_service=\"messages\"")
                        && l.contains("provider=\"anthropic\"")
                        && l.contains("model=\"claude-sonnet-4-5\"")
                        && l.endsWith("token_type=\"cache_write\"} 70.0")),
        metrics);
    assertTrue(
        metrics.contains(
            "aicost_billed_usd{provider=\"anthropic\",window=\"month_to_date\"} 1.2345"),
        metrics);
    assertTrue(failedMetrics.contains("reason=\"auth\""), failedMetrics);
    assertTrue(log.contains("event=collect_failed collector=anthropic reason=auth"), log);
    assertTrue(failedStatus.contains("anthropic"), failedStatus);
    for (String text : new String[] {metrics, status, failedMetrics, failedStatus, log}) {
      assertFalse(text.contains(FakeAnthropicServer.KEY));
      assertFalse(text.contains("TESTKEY"));
    }
    // no raw id becomes a label without an attribution rule
    assertFalse(metrics.contains("apikey_01"));
    assertFalse(metrics.contains("wrkspc_a"));
  }
}
