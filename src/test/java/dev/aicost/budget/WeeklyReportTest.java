package dev.aicost.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.config.BudgetConfig;
import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Metrics;
import dev.aicost.store.CounterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weekly review of a known fortnight, against a golden Markdown file. Run with {@code
 * -Dgolden.update=true} to rewrite it after an intended change, then read the diff.
 *
 * <p>The fortnight (Europe/Berlin), per day: OpenAI for team search $30 and 7,000 requests on
 * gpt-4o the first week; the second week the same 7,000 requests split 5,600 gpt-4o ($24) and 1,400
 * o3 ($24.60): cost per request +62 %, volume flat, model mix changed. Anthropic for team support
 * $20 and 2,000 requests both weeks. Self-hosted llama for team ads (GPU time, no request counts in
 * this ledger) $24 then $26. Storage $1 then $1.50. 1,234,567 unpriced tokens on a self-hosted
 * model in the second week.
 */
public class WeeklyReportTest {
  public static final Path EXPECTED = Path.of("src/test/resources/golden/weekly-review.md");
  public static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  public static final LocalDate WEEK1 = LocalDate.parse("2026-03-02");
  public static final Instant NOW =
      Instant.parse("2026-03-16T07:00:00Z"); // Monday, 08:00 in Berlin
  public static final List<BudgetConfig> BUDGETS =
      List.of(
          new BudgetConfig("org", Map.of(), 3000.0),
          new BudgetConfig("search", Map.of("team", "search"), 1000.0));

  @TempDir Path dir;

  static Map<String, String> labels(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  /** Writes the fortnight into a new ledger at {@code db}. */
  public static void fortnight(Path db) throws Exception {
    SpendRows rows = new SpendRows();
    Map<String, String> gpt4o =
        labels("provider", "openai", "model", "gpt-4o", "team", "search", "category", "inference");
    Map<String, String> o3 =
        labels("provider", "openai", "model", "o3", "team", "search", "category", "inference");
    Map<String, String> claude =
        labels(
            "provider",
            "anthropic",
            "model",
            "claude-sonnet-4",
            "team",
            "support",
            "category",
            "inference");
    Map<String, String> llama =
        labels(
            "provider",
            "self_hosted",
            "model",
            "llama-3-70b",
            "team",
            "ads",
            "category",
            "compute");
    Map<String, String> storage = labels("provider", "aws", "team", "ads", "category", "storage");
    for (int d = 0; d < 14; d++) {
      LocalDate day = WEEK1.plusDays(d);
      Instant start = day.atStartOfDay(BERLIN).toInstant();
      Instant end = day.plusDays(1).atStartOfDay(BERLIN).toInstant();
      boolean second = d >= 7;
      Instant noon = start.plusSeconds(12 * 3600);
      if (!second) {
        rows.spendEvenly(gpt4o, 30 / 24.0, start, end);
        rows.add(Metrics.REQUESTS, gpt4o, 7000, noon);
      } else {
        rows.spendEvenly(gpt4o, 24 / 24.0, start, end);
        rows.spendEvenly(o3, 24.6 / 24, start, end);
        rows.add(Metrics.REQUESTS, gpt4o, 5600, noon);
        rows.add(Metrics.REQUESTS, o3, 1400, noon);
        rows.add(
            Metrics.UNPRICED_TOKENS,
            labels(
                "provider",
                "self_hosted",
                "ai_service",
                "vllm",
                "model",
                "mystery-7b",
                "token_type",
                "input"),
            d == 13 ? 1_234_567 - 6 * 100_000 : 100_000,
            noon);
      }
      rows.spendEvenly(claude, 20 / 24.0, start, end);
      rows.add(Metrics.REQUESTS, claude, 2000, noon);
      rows.spendEvenly(llama, (second ? 26 : 24) / 24.0, start, end);
      rows.spendEvenly(storage, (second ? 1.5 : 1) / 24, start, end);
    }
    try (Ledger l = new Ledger(db, new CounterStore(1000))) {
      rows.commitTo(l);
    }
  }

  static String render(Path db, Map<String, Double> drift) throws Exception {
    try (LedgerReader r = new LedgerReader(db)) {
      return WeeklyReport.render(
          new WeeklyReport.Input(r, BERLIN, WEEK1.plusDays(13), BUDGETS, drift, NOW));
    }
  }

  @Test
  void goldenWeek() throws Exception {
    Path db = dir.resolve("l.db");
    fortnight(db);
    String actual = render(db, Map.of());
    if (Boolean.getBoolean("golden.update")) Files.writeString(EXPECTED, actual);
    assertEquals(Files.readString(EXPECTED), actual);
  }

  @Test
  void driftWhereKnownAndAQuietWeek() throws Exception {
    Path db = dir.resolve("l.db");
    fortnight(db);
    String md = render(db, Map.of("openai", 0.032, "anthropic", -0.071));
    assertTrue(md.contains("| openai | +3.2 % |"), md);
    assertTrue(md.contains("| anthropic | -7.1 % (over 5 %: investigate) |"), md);

    Path empty = dir.resolve("empty.db");
    try (Ledger l = new Ledger(empty, new CounterStore(10))) {
      // no rows
    }
    String quiet = render(empty, Map.of());
    assertTrue(quiet.contains("Nothing moved."), quiet);
    assertTrue(quiet.contains("None: every token of both weeks had a price."), quiet);
    assertTrue(quiet.contains("No move of at least 20.0 %"), quiet);
  }
}
