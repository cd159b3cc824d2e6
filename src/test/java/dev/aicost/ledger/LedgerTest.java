package dev.aicost.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.BatchSink;
import dev.aicost.collect.Orchestrator;
import dev.aicost.collect.SinkException;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.metrics.Metrics;
import dev.aicost.source.vllm.VllmSource;
import dev.aicost.store.CounterStore;
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
      l.commit(
          "s",
          List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 100, T0)),
          "{\"x\":1}",
          T0);
      l.commit(
          "s",
          List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 50, T0.plusSeconds(120))),
          "{\"x\":2}",
          T0);
    }
    CounterStore fresh = new CounterStore(100);
    try (Ledger l = new Ledger(db, fresh)) {
      assertEquals(150, fresh.get(Metrics.TOKENS, tokenLabels("input")));
      assertEquals("{\"x\":2}", l.checkpoint("s").orElseThrow());
      // hourly rows: 100 in the 10:00 hour, 50 in the 11:00 hour
      List<Ledger.HourlyRow> rows =
          l.hourly(Metrics.TOKENS, T0.minusSeconds(3600), T0.plusSeconds(7200));
      assertEquals(List.of(100.0, 50.0), rows.stream().map(Ledger.HourlyRow::value).toList());
    }
  }

  @Test
  void cardinalityGuardFoldsExtraSeriesWithoutLosingTheirValue() throws Exception {
    CounterStore store = new CounterStore(2);
    try (Ledger l = new Ledger(dir.resolve("b.db"), store)) {
      List<Increment> incs = new ArrayList<>();
      for (String t : List.of("input", "output", "cache_read", "cache_write"))
        incs.add(new Increment(Metrics.TOKENS, tokenLabels(t), 10, T0));
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
    try (FakeVllmServer vllm = new FakeVllmServer();
        Ledger ledger = new Ledger(dir.resolve("c.db"), store)) {
      BatchSink sink =
          (source, batch, now) -> {
            // as AccountingSink does: the ledger's failure reaches the orchestrator as a
            // SinkException
            if (diskFull.get()) {
              throw new SinkException(
                  "ledger", "ledger write failed: [SQLITE_FULL] database or disk is full", null);
            }
            List<Increment> incs = new ArrayList<>();
            batch
                .usage()
                .forEach(
                    u ->
                        incs.add(
                            new Increment(
                                Metrics.REQUESTS,
                                List.of("p", "s", "d", "m", "t", "", "", "", ""),
                                u.requests(),
                                now)));
            try {
              ledger.commit(source, incs, batch.checkpointJson(), now);
            } catch (LedgerException e) {
              throw new SinkException("ledger", e.getMessage(), e);
            }
          };
      Orchestrator o = new Orchestrator(clock, sink, () -> {});
      VllmSource src =
          new VllmSource(
              VllmSourceConfig.of("d", vllm.url()).withInterval(Duration.ofHours(1)),
              new OkHttpClient(),
              1 << 20,
              1024);
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
    LedgerException e =
        assertThrows(LedgerException.class, () -> new Ledger(file, new CounterStore(10)));
    assertTrue(e.getMessage().startsWith("cannot open ledger"), e.getMessage());
  }

  @Test
  void aSecondLedgerOnTheSamePathIsRefusedAndTheLockGoesWithClose() throws Exception {
    Path db = dir.resolve("x.db");
    try (Ledger first = new Ledger(db, new CounterStore(10))) {
      LedgerException e =
          assertThrows(LedgerException.class, () -> new Ledger(db, new CounterStore(10)));
      assertEquals(
          "state.path "
              + db
              + " is in use by another aicost-exporter (lock held on "
              + db
              + ".lock)",
          e.getMessage());
      first.commit(
          "s", List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 1, T0)), null, T0);
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
        l.commit(
            "s", List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 5, T0)), "{}", T0);
        switch (how) {
          case "deleted" -> Files.delete(db);
          case "replaced" -> {
            Path other = Files.writeString(dir.resolve("other"), "x");
            Files.move(other, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          default -> {
            try (var ch =
                java.nio.channels.FileChannel.open(db, java.nio.file.StandardOpenOption.WRITE)) {
              ch.write(java.nio.ByteBuffer.wrap("garbage, not SQLite".getBytes()), 0);
            }
          }
        }
        for (int i = 0; i < 2; i++) {
          LedgerException e =
              assertThrows(
                  LedgerException.class,
                  () ->
                      l.commit(
                          "s",
                          List.of(new Increment(Metrics.TOKENS, tokenLabels("input"), 7, T0)),
                          "{}",
                          T0),
                  how);
          assertTrue(
              e.getMessage()
                  .startsWith(
                      "ledger " + db + " was " + (how.equals("overwritten") ? "overwritten" : how)),
              e.getMessage());
        }
        assertEquals(
            5, store.sum(Metrics.TOKENS), how + ": nothing counted into a ledger that is gone");
      }
    }
  }

  private static List<String> modelLabels(String model) {
    List<String> l = new ArrayList<>(List.of("self_hosted", "vllm", "d", model, "input"));
    l.addAll(List.of("unattributed", "", "", "", ""));
    return l;
  }

  private static List<Increment> models(int from, int to, double each) {
    List<Increment> incs = new ArrayList<>();
    for (int i = from; i < to; i++)
      incs.add(new Increment(Metrics.TOKENS, modelLabels("m" + i), each, T0));
    return incs;
  }

  private static double dropped(CounterStore store) {
    double[] n = {0};
    store.forEachDropped((m, v) -> n[0] += v);
    return n[0];
  }

  /** The counters table as SQLite holds it: labels JSON -> value. */
  private static java.util.Map<String, Double> rows(Path db, String family) throws Exception {
    java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT labels, value FROM counters WHERE family = ? ORDER BY rowid")) {
      ps.setString(1, family);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.put(rs.getString(1), rs.getDouble(2));
      }
    }
    return out;
  }

  private static int seriesOf(CounterStore store, dev.aicost.metrics.Family f) {
    int[] n = {0};
    store.forEach(f, (l, v) -> n[0]++);
    return n[0];
  }

  @Test
  void capHoldsWithinOneBatchInMemoryAndOnDisk() throws Exception {
    Path db = dir.resolve("batch.db");
    CounterStore store = new CounterStore(10);
    try (Ledger l = new Ledger(db, store)) {
      l.commit("s", models(0, 50, 3), null, T0); // 50 new series in ONE batch
      l.commit("s", models(0, 50, 1), null, T0.plusSeconds(15));
    }
    assertEquals(11, seriesOf(store, Metrics.TOKENS), "10 series plus the overflow series");
    assertEquals(200, store.sum(Metrics.TOKENS), 1e-9);
    assertEquals(
        160, store.get(Metrics.TOKENS, Collections.nCopies(10, CounterStore.OVERFLOW)), 1e-9);
    assertEquals(80, dropped(store), "40 folded increments per batch");
    java.util.Map<String, Double> disk = rows(db, Metrics.TOKENS.name());
    assertEquals(11, disk.size(), "SQLite holds the folded key, not the 40 series memory folded");
    assertEquals(200, disk.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
  }

  @Test
  void failedCommitCountsNoFolds() throws Exception {
    Path db = dir.resolve("failed.db");
    CounterStore store = new CounterStore(2);
    try (Ledger l = new Ledger(db, store)) {
      l.commit("s", models(0, 2, 1), null, T0);
      try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
          java.sql.Statement st = c.createStatement()) {
        st.execute("DROP TABLE hourly"); // the next write fails inside the transaction
      }
      assertThrows(LedgerException.class, () -> l.commit("s", models(2, 5, 1), null, T0));
      assertEquals(0, dropped(store), "nothing was folded: the batch was not committed");
      assertEquals(2, store.sum(Metrics.TOKENS), 1e-9);
    }
  }

  @Test
  void restoreFoldsWhatIsBeyondTheCapTheSameWayEveryTime() throws Exception {
    Path db = dir.resolve("restore.db");
    try (Ledger l =
        new Ledger(db, new CounterStore(1000))) { // e.g. an older version, or a larger cap then
      l.commit("s", models(0, 30, 2), null, T0);
      l.commit("s", models(30, 50, 2), null, T0.plusSeconds(15));
    }
    for (int restart = 0; restart < 2; restart++) {
      CounterStore store = new CounterStore(10);
      try (Ledger l = new Ledger(db, store)) {
        assertEquals(11, seriesOf(store, Metrics.TOKENS), "restore " + restart);
        double later = restart == 0 ? 0 : 5; // the increment the first run adds below
        assertEquals(100 + later, store.sum(Metrics.TOKENS), 1e-9);
        for (int i = 0; i < 10; i++)
          assertEquals(
              2,
              store.get(Metrics.TOKENS, modelLabels("m" + i)),
              "oldest series keep their own row");
        assertEquals(
            80 + later,
            store.get(Metrics.TOKENS, Collections.nCopies(10, CounterStore.OVERFLOW)),
            1e-9);
        assertEquals(40, dropped(store), "the 40 folded rows; the overflow row itself is no fold");
        if (restart == 0) {
          // a series restore folded goes on in the overflow series, in memory and on disk
          l.commit(
              "s",
              List.of(new Increment(Metrics.TOKENS, modelLabels("m42"), 5, T0.plusSeconds(30))),
              null,
              T0);
          assertEquals(
              85, store.get(Metrics.TOKENS, Collections.nCopies(10, CounterStore.OVERFLOW)), 1e-9);
          assertEquals(11, seriesOf(store, Metrics.TOKENS));
        }
      }
    }
    java.util.Map<String, Double> disk = rows(db, Metrics.TOKENS.name());
    assertEquals(
        2,
        disk.get(
            "[\"self_hosted\",\"vllm\",\"d\",\"m42\",\"input\",\"unattributed\",\"\",\"\",\"\",\"\"]"),
        1e-9,
        "the row the old version wrote stays (raising the cap again shows it)");
    assertEquals(
        105,
        disk.values().stream().mapToDouble(Double::doubleValue).sum(),
        1e-9,
        "disk and memory totals agree");
  }
}
