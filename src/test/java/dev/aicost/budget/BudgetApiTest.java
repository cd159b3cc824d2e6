package dev.aicost.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.ledger.Ledger;
import dev.aicost.metrics.Metrics;
import dev.aicost.store.CounterStore;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budgets, spend, movers and unit-cost API of a running exporter over a ledger of synthetic
 * rows; budgets through /metrics, reload and restart.
 */
class BudgetApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-03-15T12:00:00Z");
  private static final Map<String, String> SEARCH_GPT =
      Map.of("team", "search", "provider", "openai", "model", "gpt-4o", "category", "inference");
  private static final Map<String, String> ADS_GPU =
      Map.of("team", "ads", "provider", "self_hosted", "model", "llama", "category", "compute");

  @TempDir Path dir;
  private Path db;
  private Path configFile;

  @BeforeEach
  void ledger() throws Exception {
    db = dir.resolve("aicost.db");
    try (Ledger l = new Ledger(db, new CounterStore(1000))) {
      new SpendRows()
          // search: $1/h all month; ads: $2/h until the 13th, $3/h after
          .spendEvenly(SEARCH_GPT, 1, Instant.parse("2026-03-01T00:00:00Z"), NOW)
          .spendEvenly(
              ADS_GPU,
              2,
              Instant.parse("2026-03-01T00:00:00Z"),
              Instant.parse("2026-03-14T00:00:00Z"))
          .spendEvenly(ADS_GPU, 3, Instant.parse("2026-03-14T00:00:00Z"), NOW)
          .add(Metrics.REQUESTS, SEARCH_GPT, 1000, Instant.parse("2026-03-14T10:00:00Z"))
          .add(
              Metrics.TOKENS,
              Map.of(
                  "team", "search", "provider", "openai", "model", "gpt-4o", "token_type", "input"),
              2_000_000,
              Instant.parse("2026-03-14T10:00:00Z"))
          .commitTo(l);
    }
    configFile = dir.resolve("config.yml");
    writeConfig(
        "  - { name: org, monthly_usd: 2000 }\n"
            + "  - { name: search, monthly_usd: 500, match: { team: search } }\n");
  }

  private void writeConfig(String budgets) throws Exception {
    Files.writeString(
        configFile, "state: { path: " + db + " }\ntimezone: UTC\nbudgets:\n" + budgets);
  }

  private RunningExporter start(MutableClock clock) throws Exception {
    return new RunningExporter(Files.readString(configFile), configFile, clock, false);
  }

  private static JsonNode json(RunningExporter ex, String path) throws Exception {
    return JSON.readTree(ex.text(path));
  }

  @Test
  void budgetGaugesAndApiComeFromTheLedgerAndSurviveARestart() throws Exception {
    String before;
    try (RunningExporter ex = start(new MutableClock(NOW))) {
      before = ex.text("/metrics");
      // search: MTD 14*24+12 = 348, forecast 31*24 = 744, variance 744/500-1
      assertTrue(before.contains("aicost_budget_usd{budget=\"search\"} 500.0"), before);
      assertTrue(
          before.contains("aicost_budget_spend_month_to_date_usd{budget=\"search\"} 348.0"),
          before);
      assertTrue(
          before.contains("aicost_budget_forecast_month_end_usd{budget=\"search\"} 744.0"), before);
      assertTrue(before.contains("aicost_budget_variance_ratio{budget=\"search\"} 0.488"), before);
      JsonNode org = json(ex, "/api/v1/budgets").get("budgets").get(0);
      assertEquals("org", org.get("budget").asText());
      // ads: 13*48 + 24*3... MTD = 13 days * $48 + 1.5 days * $72 ; pace = (6*48 + 72)/7 + 24
      double adsMtd = 13 * 48 + 36 * 3;
      assertEquals(348 + adsMtd, org.get("month_to_date_usd").asDouble(), 1e-9);
      assertEquals("trailing_7_days", org.get("pace_basis").asText());
      assertEquals(24 + (6 * 48 + 72) / 7.0, org.get("pace_usd_per_day").asDouble(), 1e-9);
      String page = ex.text("/");
      assertTrue(page.contains("<h2>Budgets</h2>") && page.contains("search"), page);
      assertTrue(page.contains("Movers: week over week"), page);
    }
    try (RunningExporter again = start(new MutableClock(NOW))) {
      String after = again.text("/metrics");
      for (String line : before.split("\n"))
        if (line.startsWith("aicost_budget_")) assertTrue(after.contains(line), line);
    }
  }

  @Test
  void aReloadAddsAndRemovesBudgets() throws Exception {
    try (RunningExporter ex = start(new MutableClock(NOW))) {
      writeConfig("  - { name: ads, monthly_usd: 3000, match: { team: ads } }\n");
      try (Response r =
          ex.http
              .newCall(
                  new Request.Builder()
                      .url(ex.base() + "/-/reload")
                      .post(RequestBody.create(new byte[0], MediaType.get("text/plain")))
                      .build())
              .execute()) {
        assertEquals(200, r.code(), r.body().string());
      }
      String m = ex.text("/metrics");
      assertFalse(m.contains("budget=\"search\""), m);
      assertFalse(m.contains("budget=\"org\""), m);
      assertTrue(m.contains("aicost_budget_usd{budget=\"ads\"} 3000.0"), m);
    }
  }

  @Test
  void spendByRangeGroupsByAnyLabelAsJsonAndCsv() throws Exception {
    try (RunningExporter ex = start(new MutableClock(NOW))) {
      JsonNode body = json(ex, "/api/v1/spend?from=2026-03-13&to=2026-03-14&group_by=team,model");
      assertEquals("day", body.get("granularity").asText());
      JsonNode rows = body.get("rows");
      assertEquals(4, rows.size(), body.toString());
      assertEquals("2026-03-13", rows.get(0).get("day").asText());
      assertEquals("ads", rows.get(0).get("team").asText());
      assertEquals("llama", rows.get(0).get("model").asText());
      assertEquals(48, rows.get(0).get("usd").asDouble(), 1e-9);
      assertEquals(72, rows.get(2).get("usd").asDouble(), 1e-9);
      assertEquals(48 + 24 + 72 + 24, body.get("total_usd").asDouble(), 1e-9);

      try (Response r =
          ex.get("/api/v1/spend?from=2026-03-14&to=2026-03-14&group_by=provider&format=csv")) {
        assertTrue(r.header("Content-Type").startsWith("text/csv"), r.header("Content-Type"));
        assertEquals(
            "day,provider,usd\r\n2026-03-14,openai,24\r\n2026-03-14,self_hosted,72\r\n",
            r.body().string());
      }
      JsonNode hours = json(ex, "/api/v1/spend?from=2026-03-15&to=2026-03-15&granularity=hour");
      assertEquals(12, hours.get("rows").size()); // 00:00 .. 11:00, nothing after now
      assertEquals("2026-03-15T00:00Z", hours.get("rows").get(0).get("hour").asText());
      assertEquals(4, hours.get("rows").get(0).get("usd").asDouble(), 1e-9);

      // the older form answers as before
      assertEquals(7, json(ex, "/api/v1/spend?days=7").get("days").asInt());
    }
  }

  @Test
  void badParametersAre400NamingTheParameter() throws Exception {
    try (RunningExporter ex = start(new MutableClock(NOW))) {
      Map<String, String> cases =
          Map.of(
              "/api/v1/spend?from=yesterday", "from",
              "/api/v1/spend?from=2026-03-10&to=2026-03-01", "to",
              "/api/v1/spend?from=2025-01-01&to=2026-03-01", "to",
              "/api/v1/spend?from=2026-01-01&to=2026-03-01&granularity=hour", "to",
              "/api/v1/spend?group_by=colour", "group_by",
              "/api/v1/spend?granularity=minute", "granularity",
              "/api/v1/spend?format=xml", "format",
              "/api/v1/spend?from=2026-03-01&days=3", "days",
              "/api/v1/movers?period=month", "period",
              "/api/v1/unit-costs?group_by=category", "group_by");
      for (Map.Entry<String, String> c : cases.entrySet()) {
        try (Response r = ex.get(c.getKey())) {
          String text = r.body().string();
          assertEquals(400, r.code(), c.getKey() + " " + text);
          JsonNode err = JSON.readTree(text);
          assertEquals(c.getValue(), err.get("parameter").asText(), c.getKey());
          assertTrue(err.get("error").asText().startsWith(c.getValue() + ":"), text);
        }
      }
    }
  }

  @Test
  void moversAndUnitCosts() throws Exception {
    try (RunningExporter ex = start(new MutableClock(NOW))) {
      JsonNode day = json(ex, "/api/v1/movers?period=day").get("periods").get(0);
      assertEquals("2026-03-14", day.get("current").get("from").asText());
      JsonNode up = day.get("dimensions").get("team").get("up");
      assertEquals("ads", up.get(0).get("value").asText());
      assertEquals(24, up.get(0).get("change_usd").asDouble(), 1e-9);
      assertEquals(0.5, up.get(0).get("change_ratio").asDouble(), 1e-9);
      assertEquals(0, day.get("dimensions").get("team").get("down").size());

      JsonNode unit =
          json(ex, "/api/v1/unit-costs?from=2026-03-14&to=2026-03-14&group_by=team").get("rows");
      JsonNode search = unit.get(1);
      assertEquals("search", search.get("team").asText());
      assertEquals(24.0 / 1000, search.get("usd_per_request").asDouble(), 1e-12);
      assertEquals(24.0 / 2000, search.get("usd_per_1k_tokens").asDouble(), 1e-12);
      assertTrue(unit.get(0).get("usd_per_request").isNull(), unit.toString()); // ads: no requests
    }
  }
}
