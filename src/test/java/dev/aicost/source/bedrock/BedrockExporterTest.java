package dev.aicost.source.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeBedrockControl;
import dev.aicost.testing.FakeCloudWatch;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole exporter (registry, SDK default credential chain, ledger, pricing, exposition) over the
 * CloudWatch fake: Bedrock tokens become dollars, and the exporter's own CloudWatch bill is
 * exposed.
 */
class BedrockExporterTest {
  @TempDir Path dir;
  static final Instant T0 = Instant.parse("2026-11-23T10:00:30Z");
  static final String SONNET = "anthropic.claude-3-5-sonnet-20241022-v2:0";

  FakeCloudWatch fake;

  @BeforeEach
  void credentials() {
    fake = new FakeCloudWatch();
    // the default chain reads these first; the exporter is configured with no credentials at all
    System.setProperty("aws.accessKeyId", FakeCloudWatch.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", FakeCloudWatch.SECRET_KEY);
  }

  @AfterEach
  void clear() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    fake.close();
    assertEquals(List.of(), fake.protocolErrors);
  }

  RunningExporter exporter(String bedrock) throws Exception {
    return new RunningExporter(
        """
        state: { path: %s }
        sources: { nvml: { enabled: false }, bedrock: %s }
        """
            .formatted(dir.resolve("l.db"), bedrock),
        null,
        new MutableClock(T0),
        false);
  }

  @Test
  void sonnetTokensAreSixDollarsAndTheCloudWatchBillIsCounted() throws Exception {
    Instant m = Instant.parse("2026-11-23T09:55:00Z");
    fake.put(SONNET, "InputTokenCount", m, 1_000_000);
    fake.put(SONNET, "OutputTokenCount", m, 200_000);
    fake.put(SONNET, "Invocations", m, 40);
    try (RunningExporter ex =
        exporter(
            "{ endpoint: \"%s\", model_ids: [ \"%s\" ], regions: [ us-east-1 ], interval: 1h }"
                .formatted(fake.endpoint(), SONNET))) {
      ex.awaitFirstRuns();
      String metrics = ex.text("/metrics");
      assertEquals(
          6.0,
          sum(metrics, "aicost_spend_usd_total\\{[^}]*provider=\"aws\"[^}]*\\}"),
          1e-9,
          metrics);
      assertEquals(
          1_000_000,
          sum(
              metrics,
              "aicost_tokens_total\\{[^}]*provider=\"aws\"[^}]*token_type=\"input\"[^}]*\\}"));
      assertEquals(
          40, sum(metrics, "aicost_requests_total\\{[^}]*provider=\"aws\"[^}]*\\}"), metrics);
      // 5 metrics requested at $0.01 per 1,000
      assertEquals(
          5 * 0.01 / 1000,
          sum(metrics, "aicost_upstream_api_cost_usd_total\\{collector=\"bedrock/us-east-1\"\\}"),
          1e-12,
          metrics);
      assertTrue(
          metrics.contains("aicost_collector_success{collector=\"bedrock/us-east-1\"} 1.0"),
          metrics);
      assertTrue(
          metrics.contains(
              "aicost_collector_errors_total{collector=\"bedrock/us-east-1\",reason=\"auth\"} 0.0"),
          metrics);
      assertFalse(metrics.contains(FakeCloudWatch.SECRET_KEY));
      assertFalse(ex.text("/").contains(FakeCloudWatch.SECRET_KEY));
    }
  }

  @Test
  void aDeniedRegionIsItsOwnHealthAndTheOtherCounts() throws Exception {
    fake.put(SONNET, "InputTokenCount", Instant.parse("2026-11-23T09:59:00Z"), 100);
    // both regions share the fake; the first call (either region) is denied
    fake.fail(1, 403, "AccessDenied", "not authorized to perform: cloudwatch:GetMetricData");
    try (RunningExporter ex =
        exporter(
            "{ endpoint: \"%s\", model_ids: [ \"%s\" ], regions: [ us-east-1, eu-west-1 ], interval: 1h }"
                .formatted(fake.endpoint(), SONNET))) {
      ex.awaitFirstRuns();
      String metrics = ex.text("/metrics");
      double ok =
          sum(
              metrics,
              "aicost_collector_success\\{collector=\"bedrock/(?:us-east-1|eu-west-1)\"\\}");
      assertEquals(1.0, ok, metrics);
      assertEquals(
          1.0,
          sum(
              metrics,
              "aicost_collector_errors_total\\{collector=\"bedrock/[a-z0-9-]+\",reason=\"auth\"\\}"),
          metrics);
      assertEquals(
          100,
          sum(
              metrics,
              "aicost_tokens_total\\{[^}]*provider=\"aws\"[^}]*token_type=\"input\"[^}]*\\}"),
          metrics);
    }
  }

  @Test
  void aResolvedApplicationProfileIsPricedAsItsModelAndAttributedByItsId() throws Exception {
    String arn =
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
    Instant m = Instant.parse("2026-11-23T09:55:00Z");
    fake.put(arn, "InputTokenCount", m, 1_000_000);
    fake.put(arn, "OutputTokenCount", m, 200_000);
    fake.put(arn, "Invocations", m, 40);
    try (FakeBedrockControl control = new FakeBedrockControl()) {
      // one region: the in-region model, $3 / $15 per 1M tokens
      control.profile(
          arn, arn, "a1b2c3d4e5f6", FakeBedrockControl.foundationModel("us-east-1", SONNET));
      try (RunningExporter ex =
          new RunningExporter(
              """
              state: { path: %s }
              attribution:
                rules:
                  - { match: { inference_profile: "*:application-inference-profile/a1b2c3d4e5f6" }, set: { team: search } }
              sources:
                nvml: { enabled: false }
                bedrock: { endpoint: "%s", control_endpoint: "%s", regions: [ us-east-1 ], interval: 1h }
              """
                  .formatted(dir.resolve("l.db"), fake.endpoint(), control.endpoint()),
              null,
              new MutableClock(T0),
              false)) {
        ex.awaitFirstRuns();
        String metrics = ex.text("/metrics");
        assertEquals(
            6.0,
            sum(
                metrics,
                "aicost_spend_usd_total\\{[^}]*model=\"anthropic.claude-3-5-sonnet-20241022-v2:0\"[^}]*provider=\"aws\"[^}]*team=\"search\"[^}]*\\}"),
            1e-9,
            metrics);
        assertEquals(
            0,
            sum(metrics, "aicost_unpriced_tokens_total\\{[^}]*provider=\"aws\"[^}]*\\}"),
            metrics);
        assertFalse(metrics.contains("model=\"" + arn), metrics);
        assertTrue(
            metrics.contains(
                "aicost_collector_errors_total{collector=\"bedrock/us-east-1\",reason=\"profile_unresolved\"} 0.0"),
            metrics);
        assertEquals(1, control.calls.get());
        assertEquals(List.of(), control.protocolErrors);
      }
    }
  }

  @Test
  void aDeniedProfileLookupIsCountedUnpricedWithOneLogLineAndAHealthReason() throws Exception {
    String arn =
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
    fake.put(arn, "InputTokenCount", Instant.parse("2026-11-23T09:59:00Z"), 300);
    fake.put(arn, "Invocations", Instant.parse("2026-11-23T09:59:00Z"), 3);
    MutableClock clock = new MutableClock(T0);
    PrintStream err = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
    try (FakeBedrockControl control = new FakeBedrockControl();
        RunningExporter ex =
            new RunningExporter(
                """
                state: { path: %s }
                sources:
                  nvml: { enabled: false }
                  bedrock: { endpoint: "%s", control_endpoint: "%s", regions: [ us-east-1 ], interval: 1h }
                """
                    .formatted(dir.resolve("l.db"), fake.endpoint(), control.endpoint()),
                null,
                clock,
                false)) {
      control.failing(arn, 403, "AccessDeniedException");
      ex.awaitFirstRuns();
      fake.put(arn, "InputTokenCount", Instant.parse("2026-11-23T10:14:00Z"), 50);
      clock.advance(java.time.Duration.ofMinutes(15));
      ex.collect("bedrock/us-east-1"); // retried, still denied: the same state, no new line
      String metrics = ex.text("/metrics");
      assertEquals(2, control.calls.get());
      assertEquals(
          350,
          sum(metrics, "aicost_unpriced_tokens_total\\{[^}]*provider=\"aws\"[^}]*\\}"),
          metrics);
      assertTrue(
          metrics.contains(
              "aicost_collector_errors_total{collector=\"bedrock/us-east-1\",reason=\"profile_unresolved\"} 1.0"),
          metrics);
      assertTrue(
          metrics.contains("aicost_collector_success{collector=\"bedrock/us-east-1\"} 1.0"),
          metrics);
      assertEquals(List.of(), control.protocolErrors);
    } finally {
      System.setErr(err);
    }
    String text = logs.toString(StandardCharsets.UTF_8);
    List<String> lines = text.lines().filter(l -> l.contains("reason=profile_unresolved")).toList();
    assertEquals(1, lines.size(), text);
    assertTrue(lines.get(0).contains("bedrock:GetInferenceProfile"), lines.get(0));
    assertFalse(text.contains(FakeCloudWatch.SECRET_KEY));
  }

  @Test
  void anApplicationInferenceProfileIsAttributedToItsTeamByARule() throws Exception {
    String arn =
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
    fake.put(arn, "InputTokenCount", Instant.parse("2026-11-23T09:59:00Z"), 300);
    fake.put(arn, "Invocations", Instant.parse("2026-11-23T09:59:00Z"), 3);
    try (RunningExporter ex =
        new RunningExporter(
            """
            state: { path: %s }
            attribution:
              rules:
                - { match: { inference_profile: "*:application-inference-profile/a1b2c3d4e5f6" }, set: { team: search } }
            sources: { nvml: { enabled: false }, bedrock: { endpoint: "%s", interval: 1h, resolve_profiles: false } }
            """
                .formatted(dir.resolve("l.db"), fake.endpoint()),
            null,
            new MutableClock(T0),
            false)) {
      ex.awaitFirstRuns();
      String metrics = ex.text("/metrics");
      assertEquals(
          300,
          sum(
              metrics,
              "aicost_tokens_total\\{[^}]*provider=\"aws\"[^}]*team=\"search\"[^}]*token_type=\"input\"[^}]*\\}"),
          metrics);
      // not priced (resolution is off): counted as unpriced, never $0
      assertEquals(
          300,
          sum(metrics, "aicost_unpriced_tokens_total\\{[^}]*provider=\"aws\"[^}]*\\}"),
          metrics);
    }
  }

  static double sum(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)").matcher(metrics);
    double s = 0;
    while (m.find()) s += Double.parseDouble(m.group(1));
    return s;
  }
}
