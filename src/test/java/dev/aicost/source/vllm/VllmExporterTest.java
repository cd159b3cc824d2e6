package dev.aicost.source.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.VllmPageBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole exporter (real HTTP, ledger, exposition) over hostile vLLM pages. */
class VllmExporterTest {
  @TempDir Path dir;

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void unknownCacheUnitGivesNoCacheHitRatioNotZero() throws Exception {
    MutableClock clock = new MutableClock(T0);
    String page =
        "process_start_time_seconds 1.7e9\n"
            + "vllm:prompt_tokens_total{model_name=\"m\"} 1000.0\n"
            + "vllm:gpu_prefix_cache_hits_total{model_name=\"m\"} 40.0\n"; // no HELP line, no block
    // size
    try (FakeVllmServer vllm = new FakeVllmServer().page(page);
        RunningExporter ex =
            new RunningExporter(
                """
            state: { path: %s }
            sources: { nvml: { enabled: false }, vllm: [ { name: d, url: "%s", interval: 1h } ] }
            """
                    .formatted(dir.resolve("l.db"), vllm.url()),
                null,
                clock,
                false)) {
      ex.awaitFirstRuns();
      clock.advance(Duration.ofSeconds(15));
      vllm.page(page.replace("1000.0", "3000.0").replace("40.0", "90.0"));
      ex.collect("vllm/d");
      String m = ex.text("/metrics");
      assertFalse(m.contains("aicost_cache_hit_ratio{"), m);
      assertEquals(3000, sum(m, "aicost_tokens_total\\{[^}]*token_type=\"input\"[^}]*}"));
      assertEquals(0, sum(m, "aicost_tokens_total\\{[^}]*token_type=\"cache_read\"[^}]*}"));
    }
  }

  @Test
  void replicasBehindOneUrlAreCountedOnceEachAndReported() throws Exception {
    MutableClock clock = new MutableClock(T0);
    double a = T0.getEpochSecond() - 3600, b = T0.getEpochSecond() - 1800;
    try (FakeVllmServer vllm = new FakeVllmServer().page(replica(a, 100_000));
        RunningExporter ex =
            new RunningExporter(
                """
            state: { path: %s }
            sources: { nvml: { enabled: false }, vllm: [ { name: d, url: "%s", interval: 1h } ] }
            """
                    .formatted(dir.resolve("l.db"), vllm.url()),
                null,
                clock,
                false)) {
      ex.awaitFirstRuns();
      long[] va = {100_000}, vb = {200_000};
      for (int i = 0; i < 20; i++) {
        clock.advance(Duration.ofSeconds(15));
        if (i % 2 == 0) vllm.page(replica(b, vb[0] += 1000));
        else vllm.page(replica(a, va[0] += 500));
        ex.collect("vllm/d");
      }
      String m = ex.text("/metrics");
      assertEquals(va[0] + vb[0], sum(m, "aicost_tokens_total\\{[^}]*deployment=\"d\"[^}]*}"));
      assertTrue(m.contains("aicost_upstream_processes{collector=\"vllm/d\"} 2.0"), m);
    }
  }

  private static String replica(double start, long prompt) {
    return new VllmPageBuilder()
        .processStart(start)
        .engine("m", "0", prompt, 0, 0, start + 2)
        .toString();
  }

  private static double sum(String metrics, String seriesRegex) {
    Matcher m = Pattern.compile("(?m)^" + seriesRegex + " (\\S+)$").matcher(metrics);
    double total = 0;
    while (m.find()) total += Double.parseDouble(m.group(1));
    return total;
  }
}
