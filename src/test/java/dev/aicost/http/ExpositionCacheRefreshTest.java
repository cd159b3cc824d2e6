package dev.aicost.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Values that change on their own (JVM, process) are re-rendered on a timer, not only on collector
 * runs.
 */
class ExpositionCacheRefreshTest {
  @Test
  void refreshEveryRerendersWithoutCollectorRunsOrScrapes() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    AtomicInteger renders = new AtomicInteger();
    registry.register(
        () ->
            GaugeSnapshot.builder()
                .name("renders")
                .help("times collected")
                .dataPoint(
                    GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value(renders.incrementAndGet())
                        .build())
                .build());
    try (ExpositionCache cache = new ExpositionCache(registry)) {
      assertTrue(text(cache).contains("\nrenders 1.0"), text(cache));
      assertEquals(1, renders.get(), "a second scrape without a change is served from the cache");

      cache.refreshEvery(Duration.ofMillis(50));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (renders.get() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
      assertTrue(
          renders.get() >= 3,
          "re-rendered by the timer, with no scrape and no collector run: " + renders.get());
      String body = text(cache);
      double served = Double.parseDouble(body.substring(body.indexOf("\nrenders ") + 9).trim());
      assertTrue(served >= 3, body);
    }
  }

  private static String text(ExpositionCache cache) {
    ExpositionCache.Body b = cache.get("text/plain", false);
    return new String(b.bytes(), 0, b.length(), StandardCharsets.UTF_8);
  }
}
