package dev.aicost.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.BatchSink;
import dev.aicost.collect.Orchestrator;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.metrics.Metrics;
import dev.aicost.source.vllm.VllmSource;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.VllmPages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-23T10:59:00Z");

  private static List<String> tokenLabels(String type) {
    List<String> l = new ArrayList<>(List.of("self_hosted", "vllm", "d", "m", type));
    l.addAll(List.of("unattributed", "", "", "", ""));
    return l;
  }

  @Test
  void countersAndCheckpointSurviveReopen() throws Exception {
    Path db = dir.resolve("a.db");
    try (Ledger l = new Ledger(db, new CounterStore(100))) {
      l.commit("s", List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 100, T0)), "{\"x\":1}", T0);
      l.commit("s", List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 50, T0.plusSeconds(120))), "{\"x\":2}", T0);
    }
    CounterStore fresh = new CounterStore(100);
    try (Ledger l = new Ledger(db, fresh)) {
      assertEquals(150, fresh.get(Metrics.TOKENS, tokenLabels("input")));
      assertEquals("{\"x\":2}", l.checkpoint("s").orElseThrow());
      // hourly rows: 100 in the 10:00 hour, 50 in the 11:00 hour
      List<Ledger.HourlyRow> rows = l.hourly(Metrics.TOKENS, T0.minusSeconds(3600), T0.plusSeconds(7200));
      assertEquals(List.of(100.0, 50.0), rows.stream().map(Ledger.HourlyRow::value).toList());
    }
  }

  @Test
  void cardinalityGuardFoldsExtraSeriesWithoutLosingTheirValue() throws Exception {
    CounterStore store = new CounterStore(2);
    try (Ledger l = new Ledger(dir.resolve("b.db"), store)) {
      List<Increment> incs = new ArrayList<>();
      for (String t : List.of("input", "output", "cache_read", "cache_write")) incs.add(new Increment(Metrics.TOKENS, tokenLabels(t), 10, T0));
      for (Increment i : incs) l.commit("s", List.of(i), null, T0);
    }
    assertEquals(40, store.sum(Metrics.TOKENS));
    assertEquals(20, store.get(Metrics.TOKENS, Collections.nCopies(10, CounterStore.OVERFLOW)));
    double[] dropped = {0};
    store.forEachDropped((m, v) -> dropped[0] += v);
    assertEquals(2, dropped[0]);
  }

  @Test
  void failedCommitLosesNothingAndCountsNothingTwice() throws Exception {
    MutableClock clock = new MutableClock(T0);
    CounterStore store = new CounterStore(100);
    AtomicBoolean diskFull = new AtomicBoolean(false);
    try (FakeVllmServer vllm = new FakeVllmServer(); Ledger ledger = new Ledger(dir.resolve("c.db"), store)) {
      BatchSink sink = (source, batch, now) -> {
        if (diskFull.get()) throw new LedgerException("ledger write failed: [SQLITE_FULL] database or disk is full", null);
        List<Increment> incs = new ArrayList<>();
        batch.usage().forEach(u -> incs.add(new Increment(Metrics.REQUESTS, List.of("p", "s", "d", "m", "t", "", "", "", ""), u.requests(), now)));
        ledger.commit(source, incs, batch.checkpointJson(), now);
      };
      Orchestrator o = new Orchestrator(clock, sink, () -> {});
      VllmSource src = new VllmSource(new VllmSourceConfig("d", vllm.url(), Duration.ofHours(1), null, null, null, null, null, null),
          new OkHttpClient(), 1 << 20, 1024);
      vllm.page(VllmPages.v1("m", "0", 10, 1, 0, 100, 1.7e9));
      o.runOnce(src, o.health(src.name()));
      assertEquals(100, store.sum(Metrics.REQUESTS));

      diskFull.set(true);
      vllm.page(VllmPages.v1("m", "0", 20, 2, 0, 130, 1.7e9));
      clock.advance(Duration.ofSeconds(15));
      o.runOnce(src, o.health(src.name()));
      assertFalse(o.health(src.name()).success());
      assertEquals("ledger", o.health(src.name()).lastErrorReason());
      assertEquals(100, store.sum(Metrics.REQUESTS), "nothing moves when the write failed");

      diskFull.set(false);
      vllm.page(VllmPages.v1("m", "0", 30, 3, 0, 150, 1.7e9));
      clock.advance(Duration.ofSeconds(15));
      o.runOnce(src, o.health(src.name()));
      assertTrue(o.health(src.name()).success());
      assertEquals(150, store.sum(Metrics.REQUESTS), "the failed interval is booked once, later");
    }
  }

  @Test
  void unopenableLedgerIsAClearError() throws Exception {
    Path file = Files.createDirectory(dir.resolve("is-a-directory.db"));
    LedgerException e = assertThrows(LedgerException.class, () -> new Ledger(file, new CounterStore(10)));
    assertTrue(e.getMessage().startsWith("cannot open ledger"), e.getMessage());
  }

  @Test
  void aSecondLedgerOnTheSamePathIsRefusedAndTheLockGoesWithClose() throws Exception {
    Path db = dir.resolve("x.db");
    try (Ledger first = new Ledger(db, new CounterStore(10))) {
      LedgerException e = assertThrows(LedgerException.class, () -> new Ledger(db, new CounterStore(10)));
      assertEquals("state.path " + db + " is in use by another aicost-exporter (lock held on " + db + ".lock)", e.getMessage());
      first.commit("s", List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 1, T0)), null, T0);
    }
    CounterStore store = new CounterStore(10);
    try (Ledger again = new Ledger(db, store)) {
      assertEquals(1, store.sum(Metrics.TOKENS), "the refused open changed nothing");
    }
  }

  @Test
  void aLedgerDeletedReplacedOrOverwrittenWhileOpenFailsEveryCommit() throws Exception {
    for (String how : List.of("deleted", "replaced", "overwritten")) {
      Path db = dir.resolve(how + ".db");
      CounterStore store = new CounterStore(10);
      try (Ledger l = new Ledger(db, store)) {
        l.commit("s", List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 5, T0)), "{}", T0);
        switch (how) {
          case "deleted" -> Files.delete(db);
          case "replaced" -> {
            Path other = Files.writeString(dir.resolve("other"), "x");
            Files.move(other, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          default -> {
            try (var ch = java.nio.channels.FileChannel.open(db, java.nio.file.StandardOpenOption.WRITE)) {
              ch.write(java.nio.ByteBuffer.wrap("garbage, not SQLite".getBytes()), 0);
            }
          }
        }
        for (int i = 0; i < 2; i++) {
          LedgerException e = assertThrows(LedgerException.class,
              () -> l.commit("s", List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 7, T0)), "{}", T0), how);
          assertTrue(e.getMessage().startsWith("ledger " + db + " was " + (how.equals("overwritten") ? "overwritten" : how)), e.getMessage());
        }
        assertEquals(5, store.sum(Metrics.TOKENS), how + ": nothing counted into a ledger that is gone");
      }
    }
  }

}
