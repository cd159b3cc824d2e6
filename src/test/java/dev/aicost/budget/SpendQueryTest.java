package dev.aicost.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Metrics;
import dev.aicost.store.CounterStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpendQueryTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  @TempDir Path dir;

  @Test
  void hoursOfAFallBackDayAre25InTimeOrder() throws Exception {
    Path db = dir.resolve("l.db");
    try (Ledger l = new Ledger(db, new CounterStore(100))) {
      new SpendRows()
          .spendEvenly(
              Map.of("team", "a"),
              1,
              Instant.parse("2026-10-24T22:00:00Z"), // 00:00 CEST on the 25th
              Instant.parse("2026-10-25T23:00:00Z")) // 00:00 CET on the 26th
          .commitTo(l);
    }
    try (LedgerReader r = new LedgerReader(db)) {
      SpendQuery.Request q =
          SpendQuery.parse(
              "2026-10-25",
              "2026-10-25",
              null,
              "hour",
              Metrics.SPEND.labelNames(),
              BERLIN,
              Instant.parse("2026-10-27T00:00:00Z"));
      List<SpendQuery.Row> rows = SpendQuery.spend(r, q);
      assertEquals(25, rows.size());
      assertEquals("2026-10-25T02:00+02:00", rows.get(2).bucket());
      assertEquals("2026-10-25T02:00+01:00", rows.get(3).bucket()); // the repeated hour
      assertEquals("2026-10-25T23:00+01:00", rows.get(24).bucket());
      for (SpendQuery.Row row : rows) assertEquals(1, row.usd(), 1e-9);

      SpendQuery.Request days =
          SpendQuery.parse(
              "2026-10-24",
              "2026-10-26",
              null,
              null,
              Metrics.SPEND.labelNames(),
              BERLIN,
              Instant.parse("2026-10-27T00:00:00Z"));
      List<SpendQuery.Row> d = SpendQuery.spend(r, days);
      assertEquals(1, d.size());
      assertEquals("2026-10-25", d.get(0).bucket());
      assertEquals(25, d.get(0).usd(), 1e-9);
    }
  }

  @Test
  void anAnswerOverTheRowLimitIsRefusedNamingGroupBy() throws Exception {
    Path db = dir.resolve("l.db");
    Instant start = Instant.parse("2026-03-01T00:00:00Z");
    SpendRows rows = new SpendRows();
    // 31 days x 24 hours x 30 models = 22,320 hour cells, over the 20,000-row bound
    for (int h = 0; h < 31 * 24; h++)
      for (int m = 0; m < 30; m++)
        rows.spend(Map.of("model", "m" + m), 1, start.plusSeconds(3600L * h));
    try (Ledger l = new Ledger(db, new CounterStore(1000))) {
      rows.commitTo(l);
    }
    try (LedgerReader r = new LedgerReader(db)) {
      Instant now = Instant.parse("2026-04-02T00:00:00Z");
      SpendQuery.Request byHourAndModel =
          SpendQuery.parse(
              "2026-03-01",
              "2026-03-31",
              "model",
              "hour",
              Metrics.SPEND.labelNames(),
              ZoneId.of("UTC"),
              now);
      BadParameter e = assertThrows(BadParameter.class, () -> SpendQuery.spend(r, byHourAndModel));
      assertEquals("group_by", e.parameter());
      assertTrue(e.getMessage().contains("20000 rows"), e.getMessage());
      // by day the same range is 930 rows, and every dollar is there
      SpendQuery.Request byDay =
          SpendQuery.parse(
              "2026-03-01",
              "2026-03-31",
              "model",
              "day",
              Metrics.SPEND.labelNames(),
              ZoneId.of("UTC"),
              now);
      List<SpendQuery.Row> d = SpendQuery.spend(r, byDay);
      assertEquals(31 * 30, d.size());
      assertEquals(31 * 24 * 30, d.stream().mapToDouble(SpendQuery.Row::usd).sum(), 1e-6);
    }
  }

  @Test
  void environmentIsReadAsAppEnv() throws Exception {
    SpendQuery.Request q =
        SpendQuery.parse(
            null,
            null,
            "environment,team",
            null,
            Metrics.SPEND.labelNames(),
            BERLIN,
            Instant.parse("2026-03-10T00:00:00Z"));
    assertEquals(List.of("app_env", "team"), q.groupBy());
    assertEquals("2026-03-04..2026-03-10", q.range().toString());
  }
}
