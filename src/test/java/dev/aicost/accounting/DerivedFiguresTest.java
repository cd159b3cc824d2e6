package dev.aicost.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.Tools;
import dev.aicost.testing.VllmPages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10: the derived figures (cost per 1k tokens, days, prices) through the whole exporter,
 * against a fake vLLM on loopback read at times the test sets.
 *
 * <p>Traffic: 1,000 prompt + 100 generation tokens a second; 2 GPUs at $2.50/h = $5/h. True cost
 * per 1k tokens = (5 / 3600) / 1.1 = $0.0012626...
 */
class DerivedFiguresTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final double TRUE_PER_1K = 5.0 / 3600 / 1.1;
  private static final String COST = "aicost_cost_per_1k_tokens_usd\\{[^}]*}";
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  /** A vLLM that has served steady traffic since {@code started}; idle seconds add nothing. */
  private static final class Traffic {
    final double created;
    double prompt, generation, requests;

    Traffic(Instant started, Instant now) {
      created = started.getEpochSecond() + 5;
      run(now.getEpochSecond() - started.getEpochSecond());
    }

    void run(long seconds) {
      prompt += 1000.0 * seconds;
      generation += 100.0 * seconds;
      requests += seconds / 3.0;
    }

    String page() {
      return VllmPages.v1("llama", "0", prompt, generation, 0, Math.floor(requests), created);
    }
  }

  private String config(String extra, String vllmUrl, String deployment) {
    return """
        state: { path: %s }
        %s
        sources:
          nvml: { enabled: false }
          vllm:
            - { name: llama-prod, url: "%s", interval: 1h, %s }
        """
        .formatted(dir.resolve("l.db"), extra, vllmUrl, deployment);
  }

  private RunningExporter start(FakeVllmServer vllm, MutableClock clock, String yaml)
      throws Exception {
    Path file = Files.writeString(dir.resolve("aicost.yml"), yaml);
    RunningExporter ex = new RunningExporter(yaml, file, clock, false);
    ex.awaitFirstRuns();
    return ex;
  }

  /** Steady traffic, read every 15 s, for {@code seconds}. */
  private static void steady(
      RunningExporter ex, FakeVllmServer vllm, MutableClock clock, Traffic t, int seconds) {
    for (int s = 15; s <= seconds; s += 15) {
      clock.advance(Duration.ofSeconds(15));
      t.run(15);
      vllm.page(t.page());
      ex.collect("vllm/llama-prod");
    }
  }

  @Test
  void costPer1kRightAfterStartLeavesVllmsHistoryOutOfTheWindow() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Traffic t = new Traffic(T0.minus(Duration.ofHours(10)), T0);
    try (FakeVllmServer vllm = new FakeVllmServer().page(t.page());
        RunningExporter ex =
            start(vllm, clock, config("", vllm.url(), "gpu_count: 2, gpu_hourly_usd: 2.50"))) {
      steady(ex, vllm, clock, t, 30);
      String m = ex.text("/metrics");
      assertEquals(TRUE_PER_1K, sum(m, COST), TRUE_PER_1K * 0.01, "30 s after start");
      // the history still counts in the totals: 10 h + 30 s of tokens
      assertEquals(1100.0 * (36_000 + 30), sum(m, "aicost_tokens_total\\{[^}]*}"), 1e-3);
      steady(ex, vllm, clock, t, 14 * 60 - 30);
      assertEquals(
          TRUE_PER_1K, sum(ex.text("/metrics"), COST), TRUE_PER_1K * 0.01, "14 min after start");
    }
  }

  @Test
  void costPer1kOfAYoungVllm() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Traffic t = new Traffic(T0.minus(Duration.ofMinutes(3)), T0);
    try (FakeVllmServer vllm = new FakeVllmServer().page(t.page());
        RunningExporter ex =
            start(vllm, clock, config("", vllm.url(), "gpu_count: 2, gpu_hourly_usd: 2.50"))) {
      steady(ex, vllm, clock, t, 60);
      assertEquals(TRUE_PER_1K, sum(ex.text("/metrics"), COST), TRUE_PER_1K * 0.01);
    }
  }

  /**
   * trailing_window 1m: 5 min of traffic, 3 min idle, 5 min of traffic. While no tokens come the
   * figure is absent and the idle dollars keep counting in aicost_spend_usd_total; whenever it is
   * present it agrees with rate(spend)/rate(tokens) from the exported counters, checked by promtool
   * on the scraped series (a scrape after every 15 s read).
   */
  @Test
  void shortWindowThroughIdleTimeAgreesWithPromQl() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Traffic t = new Traffic(T0.minus(Duration.ofHours(10)), T0);
    List<String> spend = new ArrayList<>(), tokens = new ArrayList<>(), cost = new ArrayList<>();
    try (FakeVllmServer vllm = new FakeVllmServer().page(t.page());
        RunningExporter ex =
            start(
                vllm,
                clock,
                config("trailing_window: 1m", vllm.url(), "gpu_count: 2, gpu_hourly_usd: 2.50"))) {
      scrape(ex, spend, tokens, cost);
      for (int step = 1; step <= 52; step++) { // 13 min in 15 s steps
        clock.advance(Duration.ofSeconds(15));
        boolean idle = step > 20 && step <= 32;
        if (!idle) t.run(15);
        vllm.page(t.page());
        ex.collect("vllm/llama-prod");
        scrape(ex, spend, tokens, cost);
      }
    }
    // idle from 5m to 8m: from 6m (a window later) to 8m no figure, while the GPUs' dollars go on
    for (int step = 24; step <= 32; step++) {
      assertEquals("_", cost.get(step), "absent while idle, step " + step);
      assertTrue(
          Double.parseDouble(spend.get(step)) > Double.parseDouble(spend.get(step - 1)),
          "idle dollars count, step " + step);
    }
    for (int step : new int[] {1, 2, 4, 8, 12, 20, 40, 52}) {
      assertFalse(cost.get(step).equals("_"), "present with traffic, step " + step + ": " + cost);
      assertEquals(
          TRUE_PER_1K, Double.parseDouble(cost.get(step)), TRUE_PER_1K * 0.01, "step " + step);
    }
    String test =
        """
        rule_files: []
        evaluation_interval: 15s
        tests:
          - interval: 15s
            input_series:
              - series: 'spend'
                values: '%s'
              - series: 'tokens'
                values: '%s'
              - series: 'cost_per_1k'
                values: '%s'
            promql_expr_test:
        """
            .formatted(String.join(" ", spend), String.join(" ", tokens), String.join(" ", cost));
    StringBuilder cases = new StringBuilder();
    // steady stretches, a whole rate window after start and after the idle time
    for (int step : new int[] {6, 8, 12, 16, 20, 37, 40, 44, 48, 52}) {
      cases.append(
          """
                  - expr: 'abs((rate(spend[1m]) / rate(tokens[1m]) * 1000) / cost_per_1k - 1) < bool 0.01'
                    eval_time: %ds
                    exp_samples: [ { labels: '{}', value: 1 } ]
          """
              .formatted(step * 15));
    }
    Path file = Files.writeString(dir.resolve("agreement_test.yml"), test + cases);
    String promtool =
        Tools.require("promtool", "Debian's 'prometheus' package (promtool)").toString();
    Tools.runOk(promtool, "test", "rules", file.toString());
  }

  private static void scrape(
      RunningExporter ex, List<String> spend, List<String> tokens, List<String> cost)
      throws Exception {
    String m = ex.text("/metrics");
    spend.add(Double.toString(sum(m, "aicost_spend_usd_total\\{[^}]*}")));
    tokens.add(Double.toString(sum(m, "aicost_tokens_total\\{[^}]*}")));
    cost.add(m.contains("aicost_cost_per_1k_tokens_usd{") ? Double.toString(sum(m, COST)) : "_");
  }

  @Test
  void gpuCountZeroIsUnpricedNotFree() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Traffic t = new Traffic(T0.minus(Duration.ofHours(1)), T0);
    try (FakeVllmServer vllm = new FakeVllmServer().page(t.page());
        RunningExporter ex = start(vllm, clock, config("", vllm.url(), "gpu_count: 0"))) {
      steady(ex, vllm, clock, t, 60);
      String m = ex.text("/metrics");
      assertFalse(m.contains("aicost_cost_per_1k_tokens_usd{"), m);
      assertFalse(m.contains("aicost_spend_usd_total{"), m);
      double counted = sum(m, "aicost_tokens_total\\{[^}]*}");
      assertEquals(1100.0 * (3600 + 60), counted, 1e-6);
      assertEquals(counted, sum(m, "aicost_unpriced_tokens_total\\{[^}]*}"), 1e-6);
    }
  }

  /**
   * Reads at local midnight - 20 min, midnight and midnight + 10 min: days=1 is the 10 minutes of
   * today.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Adelaide",
        "Australia/Lord_Howe",
        "America/St_Johns",
        "Pacific/Chatham",
        "UTC"
      })
  void daysAreExactInEveryZone(String zoneId) throws Exception {
    ZoneId zone = ZoneId.of(zoneId);
    Instant midnight = LocalDate.of(2026, 11, 24).atStartOfDay(zone).toInstant();
    MutableClock clock = new MutableClock(midnight.minus(Duration.ofMinutes(20)));
    Traffic t = new Traffic(clock.instant().minus(Duration.ofHours(1)), clock.instant());
    try (FakeVllmServer vllm = new FakeVllmServer().page(t.page());
        RunningExporter ex =
            start(
                vllm,
                clock,
                config("timezone: " + zoneId, vllm.url(), "gpu_count: 1, gpu_hourly_usd: 3.60"))) {
      for (int minutes : new int[] {20, 10}) {
        clock.advance(Duration.ofMinutes(minutes));
        t.run(minutes * 60L);
        vllm.page(t.page());
        ex.collect("vllm/llama-prod");
      }
      // $3.60/h is $0.06 a minute: 10 minutes today, 20 yesterday
      JsonNode today = JSON.readTree(ex.text("/api/v1/spend?days=1")).get("rows");
      assertEquals(1, today.size(), today.toString());
      assertEquals("2026-11-24", today.get(0).get("day").asText());
      assertEquals(0.60, today.get(0).get("usd").asDouble(), 1e-9);
      JsonNode two = JSON.readTree(ex.text("/api/v1/spend?days=2")).get("rows");
      assertEquals("2026-11-23", two.get(0).get("day").asText(), two.toString());
      assertEquals(1.20, two.get(0).get("usd").asDouble(), 1e-9);
    }
  }

  @Test
  void reloadThatChangesTheTimeZoneApplies() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Traffic t = new Traffic(T0.minus(Duration.ofHours(1)), T0);
    try (FakeVllmServer vllm = new FakeVllmServer().page(t.page());
        RunningExporter ex =
            start(vllm, clock, config("timezone: UTC", vllm.url(), "gpu_count: 1"))) {
      assertTrue(ex.text("/api/v1/spend").contains("\"timezone\":\"UTC\""));
      Files.writeString(
          dir.resolve("aicost.yml"), config("timezone: Asia/Kolkata", vllm.url(), "gpu_count: 1"));
      assertTrue(ex.exporter.requestReload().get(60, java.util.concurrent.TimeUnit.SECONDS).ok());
      assertTrue(
          ex.text("/api/v1/spend").contains("\"timezone\":\"Asia/Kolkata\""),
          ex.text("/api/v1/spend"));
    }
  }

  /** $3.60/h for 60 s, a reload to $7.20/h at 90 s: the 30 s before it cost the old price. */
  @Test
  void gpuPriceChangedByReloadChargesFromTheMomentItTookEffect() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Traffic t = new Traffic(T0.minus(Duration.ofHours(1)), T0);
    try (FakeVllmServer vllm = new FakeVllmServer().page(t.page());
        RunningExporter ex =
            start(vllm, clock, config("", vllm.url(), "gpu_count: 1, gpu_hourly_usd: 3.60"))) {
      steady(ex, vllm, clock, t, 60);
      clock.advance(Duration.ofSeconds(30));
      t.run(30);
      vllm.page(t.page());
      Files.writeString(
          dir.resolve("aicost.yml"), config("", vllm.url(), "gpu_count: 1, gpu_hourly_usd: 7.20"));
      assertTrue(ex.exporter.requestReload().get(60, java.util.concurrent.TimeUnit.SECONDS).ok());
      awaitRunAt(
          ex, clock.instant()); // the restarted source reads at once, at the reload's instant
      steady(ex, vllm, clock, t, 30);
      String m = ex.text("/metrics");
      assertEquals(0.06 + 0.03 + 0.06, sum(m, "aicost_spend_usd_total\\{[^}]*}"), 1e-9);
      assertTrue(
          m.contains(
              "aicost_gpu_price_usd_per_hour{deployment=\"llama-prod\",gpu=\"\",price_source=\"deployment\",uuid=\"\"} 7.2"),
          m);
    }
  }

  /** No float noise in dollars or prices: every value has at most 15 significant digits. */
  @Test
  void dollarsAreRenderedAsDecimals() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Traffic t = new Traffic(T0.minus(Duration.ofHours(1)), T0);
    try (FakeVllmServer vllm = new FakeVllmServer().page(t.page());
        RunningExporter ex =
            start(vllm, clock, config("", vllm.url(), "gpu_count: 1, gpu_hourly_usd: 0.36"))) {
      for (int i = 0;
          i < 7;
          i++) { // $0.0001 a second, in reads 1 s apart: 0.0001 + 0.0001 + ... in binary
        clock.advance(Duration.ofSeconds(1));
        t.run(1);
        vllm.page(t.page());
        ex.collect("vllm/llama-prod");
      }
      String m = ex.text("/metrics");
      Matcher v =
          Pattern.compile("(?m)^aicost_[a-z0-9_]*usd[a-z0-9_]*\\{[^}]*} (\\S+)$").matcher(m);
      int n = 0;
      while (v.find()) {
        n++;
        String digits =
            new java.math.BigDecimal(v.group(1))
                .unscaledValue()
                .abs()
                .toString()
                .replaceAll("0+$", "");
        assertTrue(digits.length() <= 15, "float noise: " + v.group());
      }
      assertTrue(n >= 3, m);
      assertEquals(0.0007, sum(m, "aicost_spend_usd_total\\{[^}]*}"), 0);
    }
  }

  private static void awaitRunAt(RunningExporter ex, Instant at) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (ex.exporter.orchestrator().health("vllm/llama-prod").lastSuccessEpochSeconds()
          >= at.getEpochSecond()) return;
      Thread.sleep(10);
    }
    throw new AssertionError("the source did not run after the reload");
  }

  static double sum(String metrics, String seriesRegex) {
    Matcher m = Pattern.compile("(?m)^" + seriesRegex + " (\\S+)$").matcher(metrics);
    double total = 0;
    while (m.find()) total += Double.parseDouble(m.group(1));
    return total;
  }
}
