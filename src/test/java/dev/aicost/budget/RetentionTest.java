package dev.aicost.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.config.ConfigLoader;
import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Metrics;
import dev.aicost.store.CounterStore;
import dev.aicost.store.GaugeStore;
import dev.aicost.store.SeriesLimit;
import dev.aicost.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** state.retention deletes old time rows and keeps the running totals. */
class RetentionTest {
  @TempDir Path dir;

  private static double rows(LedgerReader r, Instant from, Instant to) throws Exception {
    double[] sum = {0};
    r.sum(Metrics.SPEND, from, to, List.of(), Map.of(), (t, g, v) -> sum[0] += v);
    return sum[0];
  }

  @Test
  void rowsOlderThanTheRetentionGoTotalsStay() throws Exception {
    Path db = dir.resolve("l.db");
    Instant now = Instant.parse("2026-03-15T12:00:00Z");
    CounterStore counters = new CounterStore(100);
    MutableClock clock = new MutableClock(now);
    try (Ledger ledger = new Ledger(db, counters);
        BudgetService budgets =
            new BudgetService(
                new LedgerReader(db),
                ledger,
                new GaugeStore(new SeriesLimit(100)),
                clock,
                () -> {})) {
      new SpendRows()
          .spend(Map.of("team", "a"), 5, now.minus(Duration.ofDays(61)))
          .spend(Map.of("team", "a"), 3, now.minus(Duration.ofDays(60)).plusSeconds(600))
          .spend(Map.of("team", "a"), 7, now.minus(Duration.ofDays(59)))
          .commitTo(ledger);
      budgets.configure(new ConfigLoader().parse("state: { path: " + db + ", retention: 60d }\n"));
      LedgerReader r = budgets.reader();
      assertEquals(15, rows(r, Instant.EPOCH, now), 1e-9);
      budgets.tick();
      assertEquals(10, rows(r, Instant.EPOCH, now), 1e-9);
      assertEquals(15, counters.sum(Metrics.SPEND), 1e-9);

      // at most once an hour: the $3 row ages out 10 min later, and goes at the next round
      clock.advance(Duration.ofMinutes(20));
      budgets.tick();
      assertEquals(10, rows(r, Instant.EPOCH, clock.instant()), 1e-9);
      clock.advance(Duration.ofMinutes(41));
      budgets.tick();
      assertEquals(7, rows(r, Instant.EPOCH, clock.instant()), 1e-9);
    }
    CounterStore restored = new CounterStore(100);
    try (Ledger again = new Ledger(db, restored)) {
      assertEquals(15, restored.sum(Metrics.SPEND), 1e-9);
    }
  }

  @Test
  void quarterHoursOlderThan35DaysBecomeHourRowsWithTheSameDays() throws Exception {
    Path db = dir.resolve("c.db");
    Instant now = Instant.parse("2026-03-15T12:00:00Z");
    Instant old = Instant.parse("2026-01-10T00:00:00Z");
    MutableClock clock = new MutableClock(now);
    try (Ledger ledger = new Ledger(db, new CounterStore(100));
        BudgetService budgets =
            new BudgetService(
                new LedgerReader(db),
                ledger,
                new GaugeStore(new SeriesLimit(100)),
                clock,
                () -> {})) {
      new SpendRows()
          .spendEvenly(Map.of("team", "a"), 4, old, old.plus(Duration.ofDays(2)))
          .spendEvenly(Map.of("team", "a"), 4, now.minus(Duration.ofDays(2)), now)
          .commitTo(ledger);
      budgets.configure(new ConfigLoader().parse("state: { path: " + db + " }\n"));
      budgets.tick();
      LedgerReader r = budgets.reader();
      List<Instant> starts = new java.util.ArrayList<>();
      r.sum(
          Metrics.SPEND,
          old,
          old.plus(Duration.ofDays(2)),
          List.of(),
          Map.of(),
          (t, g, v) -> {
            starts.add(t);
            assertEquals(4, v, 1e-9); // an hour's four quarters in one row
          });
      assertEquals(48, starts.size());
      for (Instant t : starts) assertEquals(0, t.toEpochMilli() % 3_600_000L, t.toString());
      // a day of old data is still the day's dollars
      assertEquals(96, rows(r, old, old.plus(Duration.ofDays(1))), 1e-9);
      // recent rows stay quarter hours
      int[] recent = {0};
      r.sum(
          Metrics.SPEND,
          now.minus(Duration.ofDays(2)),
          now,
          List.of(),
          Map.of(),
          (t, g, v) -> recent[0]++);
      assertEquals(2 * 96, recent[0]);
    }
  }
}
