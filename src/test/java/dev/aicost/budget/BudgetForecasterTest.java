package dev.aicost.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.config.BudgetConfig;
import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.store.CounterStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Month-to-date, pace and forecast from ledger rows, against figures worked out by hand. */
class BudgetForecasterTest {
  private static final ZoneId UTC = ZoneOffset.UTC;
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final double EPS = 1e-9;
  private static final Map<String, String> TEAM_A = Map.of("team", "a", "category", "inference");
  private static final Map<String, String> TEAM_B = Map.of("team", "b", "category", "compute");

  @TempDir Path dir;

  private static Instant at(String localDateTime, ZoneId zone) {
    return LocalDateTime.parse(localDateTime).atZone(zone).toInstant();
  }

  private BudgetFigures figures(SpendRows rows, BudgetConfig budget, ZoneId zone, Instant now)
      throws Exception {
    Path db = dir.resolve("l.db");
    try (Ledger ledger = new Ledger(db, new CounterStore(1000))) {
      rows.commitTo(ledger);
    }
    try (LedgerReader r = new LedgerReader(db)) {
      return BudgetForecaster.compute(r, budget, zone, now);
    }
  }

  @Test
  void aMonthOfRowsGivesExactMonthToDateForecastAndVariance() throws Exception {
    // team a: $2/h on March 1-7, $1/h from the 8th; team b: $0.5/h all month; now: 15th, 12:00
    Instant now = at("2026-03-15T12:00", UTC);
    SpendRows rows =
        new SpendRows()
            .spendEvenly(TEAM_A, 2, at("2026-03-01T00:00", UTC), at("2026-03-08T00:00", UTC))
            .spendEvenly(TEAM_A, 1, at("2026-03-08T00:00", UTC), now)
            .spendEvenly(TEAM_B, 0.5, at("2026-02-20T00:00", UTC), now);
    BudgetFigures a = figures(rows, new BudgetConfig("a", Map.of("team", "a"), 1000.0), UTC, now);
    assertEquals(7 * 48 + 7 * 24 + 12, a.monthToDateUsd(), EPS);
    assertEquals("trailing_7_days", a.paceBasis());
    assertEquals(24, a.pace(), EPS); // the 8th-14th, not the month's mean
    assertEquals(16.5, a.remainingDays(), EPS); // half of the 15th + 16th..31st
    assertEquals(516 + 24 * 16.5, a.forecastUsd(), EPS);
    assertEquals(912.0 / 1000 - 1, a.varianceRatio(), EPS);
  }

  @Test
  void aBudgetWithoutMatchCoversAllSpendAndMatchesOnAnyLabel() throws Exception {
    Instant now = at("2026-03-15T12:00", UTC);
    SpendRows rows =
        new SpendRows()
            .spendEvenly(TEAM_A, 1, at("2026-03-01T00:00", UTC), now)
            .spendEvenly(TEAM_B, 0.5, at("2026-03-01T00:00", UTC), now);
    Path db = dir.resolve("l.db");
    try (Ledger ledger = new Ledger(db, new CounterStore(1000))) {
      rows.commitTo(ledger);
    }
    try (LedgerReader r = new LedgerReader(db)) {
      BudgetFigures org =
          BudgetForecaster.compute(r, new BudgetConfig("org", Map.of(), 2000.0), UTC, now);
      assertEquals(348 * 1.5, org.monthToDateUsd(), EPS);
      assertEquals(31 * 36, org.forecastUsd(), EPS);
      BudgetFigures compute =
          BudgetForecaster.compute(
              r, new BudgetConfig("c", Map.of("category", "compute"), 500.0), UTC, now);
      assertEquals(348 * 0.5, compute.monthToDateUsd(), EPS);
      BudgetFigures nobody =
          BudgetForecaster.compute(
              r, new BudgetConfig("n", Map.of("team", "nobody"), 500.0), UTC, now);
      assertEquals(0, nobody.forecastUsd(), EPS);
      assertEquals(-1, nobody.varianceRatio(), EPS);
    }
  }

  @Test
  void lastDayOfFebruaryInACommonAndALeapYear() throws Exception {
    Instant now = at("2026-02-28T18:00", UTC);
    SpendRows rows = new SpendRows().spendEvenly(TEAM_A, 1, at("2026-01-25T00:00", UTC), now);
    BudgetFigures f = figures(rows, new BudgetConfig("a", Map.of(), 700.0), UTC, now);
    assertEquals(27 * 24 + 18, f.monthToDateUsd(), EPS);
    assertEquals(0.25, f.remainingDays(), EPS);
    assertEquals(28 * 24, f.forecastUsd(), EPS);
    assertEquals(672.0 / 700 - 1, f.varianceRatio(), EPS);

    Instant leap = at("2028-02-28T18:00", UTC);
    SpendRows leapRows = new SpendRows().spendEvenly(TEAM_A, 1, at("2028-02-01T00:00", UTC), leap);
    dir.resolve("l.db").toFile().delete();
    BudgetFigures g = figures(leapRows, new BudgetConfig("a", Map.of(), 700.0), UTC, leap);
    assertEquals(1.25, g.remainingDays(), EPS); // the 29th is still to come
    assertEquals(29 * 24, g.forecastUsd(), EPS);
  }

  @Test
  void springForwardInBerlinIsA23HourDay() throws Exception {
    // $1 per real hour; 2026-03-29 has 23 hours in Berlin. Now: the 30th, 10:00 CEST.
    Instant now = at("2026-03-30T10:00", BERLIN);
    SpendRows rows = new SpendRows().spendEvenly(TEAM_A, 1, at("2026-02-20T00:00", BERLIN), now);
    BudgetFigures f = figures(rows, new BudgetConfig("a", Map.of(), 800.0), BERLIN, now);
    assertEquals(28 * 24 + 23 + 10, f.monthToDateUsd(), EPS);
    assertEquals((6 * 24 + 23) / 7.0, f.pace(), EPS); // the 23rd..29th
    assertEquals(14 / 24.0 + 1, f.remainingDays(), EPS);
    assertEquals(705 + (167 / 7.0) * (14 / 24.0 + 1), f.forecastUsd(), EPS);
  }

  @Test
  void fallBackInBerlinIsA25HourDay() throws Exception {
    // 2026-10-25 has 25 hours in Berlin; at 12:00 CET, 13 of them have passed
    Instant now = at("2026-10-25T12:00", BERLIN);
    SpendRows rows = new SpendRows().spendEvenly(TEAM_A, 1, at("2026-10-01T00:00", BERLIN), now);
    BudgetFigures f = figures(rows, new BudgetConfig("a", Map.of(), 800.0), BERLIN, now);
    assertEquals(24 * 24 + 13, f.monthToDateUsd(), EPS);
    assertEquals(12 / 25.0 + 6, f.remainingDays(), EPS);
    assertEquals(24, f.pace(), EPS);
  }

  @Test
  void firstHourOfAMonthProjectsTodaySoFar() throws Exception {
    Instant now = at("2026-04-01T00:30", UTC);
    SpendRows rows =
        new SpendRows()
            .spendEvenly(TEAM_A, 100, at("2026-03-25T00:00", UTC), at("2026-04-01T00:00", UTC))
            .spendEvenly(TEAM_A, 6, at("2026-04-01T00:00", UTC), now);
    BudgetFigures f = figures(rows, new BudgetConfig("a", Map.of(), 1000.0), UTC, now);
    assertEquals(3, f.monthToDateUsd(), EPS); // March's $100/h stays in March
    assertEquals("today_so_far", f.paceBasis());
    assertEquals(144, f.pace(), EPS); // $3 in 1/48 of the day
    assertEquals(3 + 144 * (23.5 / 24 + 29), f.forecastUsd(), 1e-6);

    BudgetFigures atMidnight =
        figures(
            new SpendRows(),
            new BudgetConfig("a", Map.of(), 1000.0),
            UTC,
            at("2026-04-01T00:00", UTC));
    assertEquals(0, atMidnight.monthToDateUsd(), EPS);
    assertEquals(0, atMidnight.forecastUsd(), EPS);
  }

  @Test
  void monthStartsAtLocalMidnightInTheConfiguredZone() throws Exception {
    // April starts at 2026-03-31T22:00Z in Berlin (CEST)
    Instant now = Instant.parse("2026-03-31T23:00:00Z");
    SpendRows rows =
        new SpendRows()
            .spend(TEAM_A, 50, Instant.parse("2026-03-31T21:45:00Z"))
            .spend(TEAM_A, 7, Instant.parse("2026-03-31T22:00:00Z"))
            .spend(TEAM_A, 1, Instant.parse("2026-03-31T22:45:00Z"))
            .spend(TEAM_A, 99, Instant.parse("2026-03-31T23:15:00Z")); // after now: future-dated
    BudgetFigures berlin = figures(rows, new BudgetConfig("a", Map.of(), 1000.0), BERLIN, now);
    assertEquals(8, berlin.monthToDateUsd(), EPS);
    try (LedgerReader r = new LedgerReader(dir.resolve("l.db"))) {
      BudgetFigures utc =
          BudgetForecaster.compute(r, new BudgetConfig("a", Map.of(), 1000.0), UTC, now);
      assertEquals(50 + 7 + 1, utc.monthToDateUsd(), EPS); // still March in UTC
    }
  }

  @Test
  void earlyInTheMonthThePaceIsTheMonthsOwnCompleteDays() throws Exception {
    Instant now = at("2026-03-04T06:00", UTC);
    SpendRows rows =
        new SpendRows()
            .spendEvenly(TEAM_A, 500, at("2026-02-25T00:00", UTC), at("2026-03-01T00:00", UTC))
            .spendEvenly(TEAM_A, 2, at("2026-03-01T00:00", UTC), at("2026-03-02T00:00", UTC))
            .spendEvenly(TEAM_A, 1, at("2026-03-02T00:00", UTC), now);
    BudgetFigures f = figures(rows, new BudgetConfig("a", Map.of(), 1000.0), UTC, now);
    assertEquals("month_days", f.paceBasis());
    assertEquals((48 + 24 + 24) / 3.0, f.pace(), EPS); // February's $500/h is not this month's pace
    assertEquals(96 + 6, f.monthToDateUsd(), EPS);
    assertEquals(102 + 32 * (18 / 24.0 + 27), f.forecastUsd(), EPS);
  }

  @Test
  void unpricedTokensAreCountedForBudgetsThatCanSeeThem() throws Exception {
    Instant now = at("2026-03-15T12:00", UTC);
    SpendRows rows =
        new SpendRows()
            .spendEvenly(
                Map.of("provider", "openai", "team", "a"), 1, at("2026-03-01T00:00", UTC), now)
            .add(
                dev.aicost.metrics.Metrics.UNPRICED_TOKENS,
                Map.of("provider", "openai", "model", "new-model", "token_type", "input"),
                5000,
                at("2026-03-10T08:00", UTC))
            .add(
                dev.aicost.metrics.Metrics.UNPRICED_TOKENS,
                Map.of("provider", "openai", "model", "new-model", "token_type", "input"),
                7000,
                at("2026-02-20T08:00", UTC)); // last month
    Path db = dir.resolve("l.db");
    try (Ledger ledger = new Ledger(db, new CounterStore(1000))) {
      rows.commitTo(ledger);
    }
    try (LedgerReader r = new LedgerReader(db)) {
      assertEquals(
          5000,
          BudgetForecaster.compute(r, new BudgetConfig("org", Map.of(), 1.0), UTC, now)
              .unpricedTokensMonthToDate());
      assertEquals(
          5000,
          BudgetForecaster.compute(
                  r, new BudgetConfig("o", Map.of("provider", "openai"), 1.0), UTC, now)
              .unpricedTokensMonthToDate());
      assertEquals(
          0,
          BudgetForecaster.compute(
                  r, new BudgetConfig("b", Map.of("provider", "bedrock"), 1.0), UTC, now)
              .unpricedTokensMonthToDate());
      // unpriced tokens carry no team: unknown, not zero
      assertTrue(
          Double.isNaN(
              BudgetForecaster.compute(r, new BudgetConfig("a", Map.of("team", "a"), 1.0), UTC, now)
                  .unpricedTokensMonthToDate()));
    }
  }
}
