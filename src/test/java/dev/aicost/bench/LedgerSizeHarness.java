package dev.aicost.bench;

import dev.aicost.budget.BudgetService;
import dev.aicost.ledger.Increment;
import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import dev.aicost.store.CounterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ledger size per year for a realistic setup (bench/ledger-size.sh; not a JUnit test): writes
 * {@code --days} of usage through {@link Ledger#commit} (one commit per hour holding its four
 * quarter-hour slices: the same rows as a commit per collect, since a slice's rows are upserted)
 * and prints the file size, rows and bytes per row, extrapolated to a year.
 *
 * <p>The setup: 4 vLLM deployments serving 2 models each (3 token types, requests, GPU-time spend),
 * 8 GPUs (busy/idle seconds and dollars, energy), OpenAI 6 models x 3 teams and Anthropic 4 models
 * x 2 teams (4 token types each, requests, spend per token type), Bedrock 3 models x 2 teams (2
 * token types). Every series moves in every quarter hour, around the clock: an upper bound.
 */
public final class LedgerSizeHarness {
  private record Series(Family family, List<String> labels) {}

  public static void main(String[] args) throws Exception {
    int days = 30;
    boolean noCompaction = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--days")) days = Integer.parseInt(args[++i]);
      if (args[i].equals("--no-compaction")) noCompaction = true;
    }
    List<Series> series = setup();
    Path dir = Files.createTempDirectory("ledger-size");
    Path db = dir.resolve("aicost.db");
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    long t0 = System.nanoTime();
    try (Ledger ledger = new Ledger(db, new CounterStore(100_000))) {
      for (int h = 0; h < days * 24; h++) {
        List<Increment> batch = new ArrayList<>(series.size() * 4);
        for (int q = 0; q < 4; q++) {
          Instant at = start.plus(Duration.ofMinutes(60L * h + 15L * q));
          for (Series s : series) batch.add(new Increment(s.family(), s.labels(), 1.25 + q, at));
        }
        ledger.commit("bench", batch, "{\"offset\":" + h + "}", at(start, h));
        // what the exporter's hourly housekeeping does (BudgetService): old quarter hours -> hours
        if (h % 24 == 23 && !noCompaction)
          ledger.compactRowsBefore(at(start, h).minus(BudgetService.QUARTER_HOURS_KEPT));
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long bytes = Files.size(db);
    long[] live = rowsAndLiveBytes(db);
    long rows = live[0];
    double bytesPerRow = live[1] / (double) rows;
    // a year in steady state: 35 days of quarter-hour rows, 330 of hour rows (without compaction:
    // 365 days of quarter hours)
    long quarterDays = noCompaction ? 365 : BudgetService.QUARTER_HOURS_KEPT.toDays();
    double perYear = bytesPerRow * series.size() * (quarterDays * 96 + (365 - quarterDays) * 24);
    double[] readMs = readMonth(db);
    System.out.printf(
        Locale.ROOT,
        "| series | days | compaction | rows | file | live bytes/row | a year (steady state) | write time | month-to-date read | month by day x model |%n"
            + "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|%n"
            + "| %d | %d | %s | %,d | %.1f MiB | %.0f | %.2f GiB | %.1f s | %.0f ms | %.0f ms |%n",
        series.size(),
        days,
        noCompaction ? "off" : "after 35 d",
        rows,
        bytes / 1048576.0,
        bytesPerRow,
        perYear / (1024.0 * 1024 * 1024),
        seconds,
        readMs[0],
        readMs[1]);
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) Files.delete(p);
    }
    Files.delete(dir);
  }

  /** Time rows, and the bytes of pages in use (the file keeps freed pages for reuse). */
  private static long[] rowsAndLiveBytes(Path db) throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement st = c.createStatement()) {
      long rows, pages, free, size;
      try (java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM hourly")) {
        rows = rs.getLong(1);
      }
      try (java.sql.ResultSet rs = st.executeQuery("PRAGMA page_count")) {
        pages = rs.getLong(1);
      }
      try (java.sql.ResultSet rs = st.executeQuery("PRAGMA freelist_count")) {
        free = rs.getLong(1);
      }
      try (java.sql.ResultSet rs = st.executeQuery("PRAGMA page_size")) {
        size = rs.getLong(1);
      }
      return new long[] {rows, (pages - free) * size};
    }
  }

  private static Instant at(Instant start, int h) {
    return start.plus(Duration.ofHours(h + 1));
  }

  /** Median of 5: a 30-day month-to-date sum, and a 30-day spend by day and model. */
  private static double[] readMonth(Path db) throws Exception {
    double[] mtd = new double[5], byModel = new double[5];
    try (LedgerReader r = new LedgerReader(db)) {
      Instant from = Instant.parse("2026-01-01T00:00:00Z");
      Instant to = from.plus(Duration.ofDays(30));
      for (int i = 0; i < 5; i++) {
        long t = System.nanoTime();
        r.sum(Metrics.SPEND, from, to, List.of(), Map.of("team", "t0"), (a, b, c) -> {});
        mtd[i] = (System.nanoTime() - t) / 1e6;
        t = System.nanoTime();
        r.sum(Metrics.SPEND, from, to, List.of(Metrics.MODEL), Map.of(), (a, b, c) -> {});
        byModel[i] = (System.nanoTime() - t) / 1e6;
      }
    }
    java.util.Arrays.sort(mtd);
    java.util.Arrays.sort(byModel);
    return new double[] {mtd[2], byModel[2]};
  }

  private static List<String> labels(Family f, Map<String, String> v) {
    List<String> l = new ArrayList<>();
    for (String n : f.labelNames()) l.add(v.getOrDefault(n, ""));
    return l;
  }

  private static Map<String, String> m(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  static List<Series> setup() {
    List<Series> out = new ArrayList<>();
    for (int d = 0; d < 4; d++) {
      for (int k = 0; k < 2; k++) {
        Map<String, String> base =
            m(
                "provider",
                "self_hosted",
                "ai_service",
                "vllm",
                "deployment",
                "vllm-" + d,
                "model",
                "meta-llama/Llama-3.1-70B-Instruct-" + d + k,
                "team",
                "t" + (d % 3),
                "project",
                "p" + d,
                "app_env",
                "prod",
                "cost_center",
                "CC-100" + (d % 3),
                "category",
                "compute");
        for (String t : List.of("input", "cache_read", "output")) {
          Map<String, String> x = new HashMap<>(base);
          x.put("token_type", t);
          out.add(new Series(Metrics.TOKENS, labels(Metrics.TOKENS, x)));
        }
        out.add(new Series(Metrics.REQUESTS, labels(Metrics.REQUESTS, base)));
        out.add(new Series(Metrics.SPEND, labels(Metrics.SPEND, base)));
      }
    }
    for (int g = 0; g < 8; g++) {
      for (String state : List.of("busy", "idle")) {
        Map<String, String> x =
            m(
                "gpu",
                "" + g,
                "uuid",
                "GPU-6f2c5c1e-0f3b-4c4e-9a55-00000000000" + g,
                "deployment",
                "vllm-" + (g / 2),
                "state",
                state);
        out.add(new Series(Metrics.GPU_SECONDS, labels(Metrics.GPU_SECONDS, x)));
        out.add(new Series(Metrics.GPU_COST, labels(Metrics.GPU_COST, x)));
      }
      out.add(
          new Series(
              Metrics.GPU_ENERGY,
              labels(
                  Metrics.GPU_ENERGY,
                  m("gpu", "" + g, "uuid", "GPU-6f2c5c1e-0f3b-4c4e-9a55-00000000000" + g))));
    }
    managed(out, "openai", "openai", 6, 3, List.of("input", "cache_read", "cache_write", "output"));
    managed(
        out,
        "anthropic",
        "anthropic",
        4,
        2,
        List.of("input", "cache_read", "cache_write", "output"));
    managed(out, "bedrock", "bedrock", 3, 2, List.of("input", "output"));
    return out;
  }

  private static void managed(
      List<Series> out,
      String provider,
      String service,
      int models,
      int teams,
      List<String> types) {
    for (int k = 0; k < models; k++) {
      for (int t = 0; t < teams; t++) {
        Map<String, String> base =
            m(
                "provider",
                provider,
                "ai_service",
                service,
                "model",
                provider + "-model-2026-0" + k,
                "team",
                "t" + t,
                "project",
                "proj-" + t,
                "app_env",
                "prod",
                "cost_center",
                "CC-100" + t,
                "feature",
                "feature-" + t,
                "category",
                "inference");
        out.add(new Series(Metrics.REQUESTS, labels(Metrics.REQUESTS, base)));
        for (String type : types) {
          Map<String, String> x = new HashMap<>(base);
          x.put("token_type", type);
          out.add(new Series(Metrics.TOKENS, labels(Metrics.TOKENS, x)));
          out.add(new Series(Metrics.SPEND, labels(Metrics.SPEND, x)));
        }
      }
    }
  }
}
