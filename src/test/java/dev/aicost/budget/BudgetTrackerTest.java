package dev.aicost.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.config.BudgetConfig;
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
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gauges follow later commits, and a failed read keeps the last figures. */
class BudgetTrackerTest {
  @TempDir Path dir;

  private static Map<String, Double> gauges(GaugeStore g) {
    Map<String, Double> m = new HashMap<>();
    g.forEach(Metrics.BUDGET_MTD, (l, v) -> m.put(l.get("budget"), v));
    return m;
  }

  @Test
  void followsCommitsAndKeepsTheLastFiguresWhenTheLedgerCannotBeRead() throws Exception {
    Path db = dir.resolve("l.db");
    Instant now = Instant.parse("2026-03-15T12:00:00Z");
    MutableClock clock = new MutableClock(now);
    GaugeStore g = new GaugeStore(new SeriesLimit(100));
    int[] changed = {0};
    try (Ledger ledger = new Ledger(db, new CounterStore(100))) {
      LedgerReader reader = new LedgerReader(db);
      BudgetTracker t = new BudgetTracker(reader, g, clock, () -> changed[0]++);
      t.configure(List.of(new BudgetConfig("org", Map.of(), 100.0)), ZoneOffset.UTC);
      assertEquals(Map.of("org", 0.0), gauges(g));

      new SpendRows().spend(Map.of("team", "a"), 12.5, now.minusSeconds(600)).commitTo(ledger);
      clock.advance(Duration.ofMinutes(1));
      t.recompute();
      assertEquals(Map.of("org", 12.5), gauges(g));
      assertEquals(2, changed[0]);

      reader.close(); // the next read fails
      t.recompute();
      assertEquals(Map.of("org", 12.5), gauges(g));
      assertEquals(12.5, t.figures().get(0).monthToDateUsd());
      assertEquals(2, changed[0]);
    }
  }
}
