package dev.aicost.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees at / and /api/v1/status (issue 11): state of the process, not only of the
 * sources.
 */
class StatusPageTest {
  @TempDir Path dir;

  @Test
  void statusTellsUptimeConfigReloadLedgerAndGpuPriceSources() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    try (RunningExporter ex =
        new RunningExporter(
            "state: { path: " + dir.resolve("demo.db") + " }\n", null, clock, true)) {
      ex.awaitFirstRuns();
      String page = ex.text("/");
      assertTrue(page.contains("http-equiv=\"refresh\""), "refreshes itself");
      assertTrue(page.contains("last (re)load") && page.contains(">ok</span>"), page);
      assertTrue(page.contains(dir.resolve("demo.db").toString()), "ledger path");
      assertTrue(page.contains("Load factor: <b>1.00x</b>"), "demo load factor");
      assertTrue(page.contains("<h2>GPUs</h2>"), page);
      assertTrue(
          page.matches("(?s).*<span title=\"[0-9T:.Z-]+\">\\d+ s ago</span>.*"),
          "relative times with the absolute one on hover");

      JsonNode status = new ObjectMapper().readTree(ex.text("/api/v1/status"));
      status
          .path("totals")
          .fieldNames()
          .forEachRemaining(k -> assertFalse(k.contains(" "), "key without spaces: " + k));
      assertTrue(status.path("totals").has("spend_usd"));
      assertTrue(status.path("last_reload").path("ok").asBoolean());
      assertEquals(dir.resolve("demo.db").toString(), status.path("ledger_path").asText());
      assertTrue(status.path("ledger_bytes").asLong() > 0);
      assertTrue(status.path("gpus").size() > 0, status.toString());
      for (JsonNode g : status.path("gpus")) {
        assertEquals(
            g.path("price_source").asText().equals("default"),
            g.path("estimate").asBoolean(),
            "default prices flagged");
      }
    }
  }

  @Test
  void relativeTimes() {
    assertEquals("42 s", StatusPage.relative(Duration.ofSeconds(42)));
    assertEquals("5 min", StatusPage.relative(Duration.ofMinutes(5)));
    assertEquals("3.0 h", StatusPage.relative(Duration.ofHours(3)));
    assertEquals("2.0 days", StatusPage.relative(Duration.ofDays(2)));
  }
}
