package dev.aicost.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fixed input gives exactly the expected /metrics text (OpenMetrics), and promtool accepts the
 * same state in the classic text format. The input: the two-engine V1 fixture read once, then read
 * again 60 s later with every counter 10 % higher, 2 GPUs at $2.50/h, one attribution rule.
 *
 * <p>Run with {@code -Dgolden.update=true} to rewrite the expected file after an intended change,
 * then read the diff before committing it.
 */
class GoldenExpositionTest {
  private static final Path EXPECTED =
      Path.of("src/test/resources/golden/two-engines.openmetrics.txt");
  @TempDir Path dir;

  @Test
  void exposition() throws Exception {
    String page = FakeVllmServer.resource("vllm/v1-two-engines.txt");
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    try (FakeVllmServer vllm = new FakeVllmServer().page(page);
        RunningExporter ex =
            new RunningExporter(
                """
            state: { path: %s }
            pricing:
              catalog: none
              models: [ { provider: openai, model: gpt-4o, input: 2.50, output: 10.00, effective_from: 2026-01-01 } ]
            attribution:
              rules:
                - { match: { deployment: llama-prod }, set: { team: search, cost_center: CC-1001 } }
            sources:
              nvml: { enabled: false }
              vllm:
                - { name: llama-prod, url: "%s", interval: 1h, gpu_count: 2, gpu_hourly_usd: 2.50 }
            """
                    .formatted(dir.resolve("l.db"), vllm.url()),
                null,
                clock,
                false)) {
      ex.awaitFirstRuns();
      clock.advance(Duration.ofSeconds(60));
      vllm.page(scaleCounters(page, 1.1));
      ex.collect("vllm/llama-prod");
      String actual =
          stable(ex.text("/metrics", "Accept", "application/openmetrics-text; version=1.0.0"));

      if (Boolean.getBoolean("golden.update")) Files.writeString(EXPECTED, actual);
      assertEquals(Files.readString(EXPECTED), actual);

      // promtool reads the classic text format, so it checks the same state in that format
      Path out =
          Files.writeString(
              dir.resolve("metrics.txt"), ex.text("/metrics"), StandardCharsets.UTF_8);
      Tools.require("promtool", "apt-get install prometheus");
      Tools.runOk("sh", "-c", "promtool check metrics < " + out);
    }
  }

  /**
   * Values that depend on the machine, not on the input, are masked; client_java's process_* and
   * jvm_* families (SelfMetricsTest covers them) are left out.
   */
  static String stable(String text) {
    return text.replaceAll("(?m)^(# (TYPE|UNIT|HELP) )?(jvm|process)_.*\n", "")
        .replaceAll("(aicost_collector_duration_seconds\\{[^}]*}) \\S+", "$1 0.001")
        .replaceAll("version=\"[^\"]*\"", "version=\"0.0.0\"")
        .replaceAll("revision=\"(?:[0-9a-f]{40}|unknown)\"", "revision=\"REVISION\"");
  }

  /** Multiplies the value of every vllm:*_total sample line (counters only; _created stays). */
  static String scaleCounters(String page, double factor) {
    StringBuilder sb = new StringBuilder();
    for (String line : page.split("\n", -1)) {
      if (line.startsWith("vllm:") && line.contains("_total{") && !line.contains("_total_")) {
        int sp = line.lastIndexOf(' ');
        double v = Double.parseDouble(line.substring(sp + 1));
        line = line.substring(0, sp + 1) + Math.round(v * factor) + ".0";
      }
      sb.append(line).append('\n');
    }
    return sb.substring(0, sb.length() - 1);
  }
}
