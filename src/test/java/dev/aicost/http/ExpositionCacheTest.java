package dev.aicost.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * {@code ?name[]=} scrapes: the same bytes as the full rendering restricted to the families, served
 * from the cache.
 */
class ExpositionCacheTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicInteger collects = new AtomicInteger();
  private final Counter requests =
      Counter.builder().name("a_requests").help("requests").labelNames("code").register(registry);
  private final Gauge temp = Gauge.builder().name("b_temp").help("temperature").register(registry);
  private final ExpositionCache cache = new ExpositionCache(registry);

  ExpositionCacheTest() {
    Info.builder()
        .name("c_build_info")
        .help("build")
        .labelNames("version")
        .register(registry)
        .setLabelValues("1.2.3");
    Gauge.builder().name("d_other").help("other").register(registry).set(4);
    requests.labelValues("200").inc(5);
    requests.labelValues("500").inc();
    temp.set(21.5);
    // counts full collections: what a filtered scrape used to pay on every request
    registry.register(
        new MultiCollector() {
          @Override
          public MetricSnapshots collect() {
            collects.incrementAndGet();
            return new MetricSnapshots();
          }
        });
  }

  private static String text(ExpositionCache.Body b, boolean gzip) throws IOException {
    byte[] bytes = java.util.Arrays.copyOf(b.bytes(), b.length());
    if (gzip) bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The families of a text or OpenMetrics body whose exposed names are listed, in body order. */
  static String restrict(String body, List<String> exposedNames) {
    StringBuilder out = new StringBuilder();
    boolean keep = false;
    for (String line : body.split("\n", -1)) {
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.startsWith("# UNIT ")) {
        String name = line.substring(7, line.indexOf(' ', 7));
        keep =
            exposedNames.stream()
                .anyMatch(
                    n -> n.equals(name) || n.equals(name + "_total") || n.equals(name + "_info"));
      }
      if (line.equals("# EOF")) keep = true;
      if (keep && !line.isEmpty()) out.append(line).append('\n');
    }
    return out.toString();
  }

  @Test
  void filteredBodiesAreTheFullRenderingRestrictedAndComeFromTheCache() throws Exception {
    List<String> names = List.of("a_requests_total", "c_build_info");
    for (String accept :
        new String[] {"text/plain", "application/openmetrics-text; version=1.0.0"}) {
      for (boolean gzip : new boolean[] {false, true}) {
        String full = text(cache.get(accept, gzip), gzip);
        String filtered = text(cache.get(accept, gzip, names), gzip);
        assertEquals(restrict(full, names), filtered, accept + " gzip=" + gzip);
        assertTrue(filtered.contains("a_requests_total{code=\"500\"} 1.0"), filtered);
        assertTrue(!filtered.contains("b_temp") && !filtered.contains("d_other"), filtered);
      }
    }

    // the same filter again, in any order of names: no collection, no rendering
    long renders = cache.renders();
    int collected = collects.get();
    for (int i = 0; i < 50; i++) {
      cache.get("text/plain", true, names);
      cache.get(
          "text/plain", false, List.of("c_build_info", "a_requests_total", "a_requests_total"));
    }
    assertEquals(renders, cache.renders(), "renders per repeated filtered scrape");
    assertEquals(collected, collects.get(), "collections per repeated filtered scrape");

    // a change re-renders the filtered bodies with the rest, once; scrapes then read them
    requests.labelValues("500").inc();
    cache.changed();
    assertEquals(collected + 1, collects.get(), "one collection for every cached body");
    renders = cache.renders();
    String after = text(cache.get("text/plain", false, names), false);
    assertTrue(after.contains("a_requests_total{code=\"500\"} 2.0"), after);
    assertEquals(restrict(text(cache.get("text/plain", false), false), names), after);
    assertEquals(renders, cache.renders());
    assertEquals(collected + 1, collects.get());
  }

  @Test
  void distinctFiltersAreBounded() throws Exception {
    List<String> first = List.of("b_temp");
    cache.get("text/plain", false, first);
    for (int i = 0; i < 100; i++) cache.get("text/plain", false, List.of("x_" + i));
    assertTrue(cache.size() <= ExpositionCache.MAX_FILTERS + 6, "bodies kept: " + cache.size());
    // an evicted filter is rendered again, and still right
    assertEquals(
        "# HELP b_temp temperature\n# TYPE b_temp gauge\nb_temp 21.5\n",
        text(cache.get("text/plain", false, first), false));
    List<String> none = new ArrayList<>();
    assertEquals(
        text(cache.get("text/plain", false), false),
        text(cache.get("text/plain", false, none), false));
  }
}
