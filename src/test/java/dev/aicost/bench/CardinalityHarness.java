package dev.aicost.bench;

import static dev.aicost.testing.Ports.freePort;

import dev.aicost.testing.FakeVllmServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 9's cardinality case on the packaged exporter (bench/cardinality.sh; not a JUnit test): one
 * vLLM page with 20,000 model names whose counters move before every read, so each read prices and
 * commits usage for every model. The jar runs as a child JVM with the launcher's flags (read from
 * ./aicost-exporter) and the default {@code limits.max_series_per_metric}. Phase 1 runs it for
 * --seconds; phase 2 kills it (SIGKILL) and starts it again on the same ledger, the case that
 * crash-looped before. Reports per phase: whether the process stayed up (and its exit code if not),
 * collector success, collect time (the exporter's own {@code aicost_collector_duration_seconds},
 * every run seen), series per family, RSS (VmRSS sampled every second, and VmHWM), and GC.
 *
 * <p>Usage: {@code CardinalityHarness <jar> [--models N] [--interval SECONDS] [--seconds S] [--cap
 * N] [--jvm-opt FLAG]...}; without --cap the configuration leaves {@code
 * limits.max_series_per_metric} at its default.
 */
public final class CardinalityHarness {
  private static final Pattern DURATION =
      Pattern.compile(
          "^aicost_collector_duration_seconds\\{collector=\"vllm/many\"} (\\S+)$",
          Pattern.MULTILINE);
  private static final Pattern DROPPED =
      Pattern.compile(
          "^aicost_series_dropped_total\\{metric=\"([^\"]+)\"} (\\S+)$", Pattern.MULTILINE);

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<String[]> rows = new ArrayList<>();
  private String base;

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: CardinalityHarness <jar> [--models N] [--interval SECONDS] [--seconds S] [--jvm-opt FLAG]...");
      System.exit(64);
    }
    int models = 20_000, interval = 5, seconds = 90;
    Integer cap = null;
    List<String> extra = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--models" -> models = Integer.parseInt(args[++i]);
        case "--interval" -> interval = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--cap" -> cap = Integer.valueOf(args[++i]);
        case "--jvm-opt" -> extra.add(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.exit(
        new CardinalityHarness().run(Path.of(args[0]), models, interval, seconds, cap, extra));
  }

  int run(Path jar, int models, int interval, int seconds, Integer cap, List<String> extraJvm)
      throws Exception {
    Path dir = Files.createTempDirectory("aicost-cardinality-bench");
    System.err.println("work dir: " + dir);
    VllmPageGenerator.ManyModels page = new VllmPageGenerator.ManyModels(models);
    try (FakeVllmServer vllm = new FakeVllmServer()) {
      String first = page.render(0);
      vllm.page(first);
      rows.add(
          new String[] {
            "upstream page",
            String.format(
                Locale.ROOT,
                "%,d models, %,d bytes, counters move before every read",
                models,
                first.length())
          });
      Thread ticker =
          new Thread(
              () -> {
                try {
                  for (int t = 1; ; t++) {
                    Thread.sleep(
                        interval * 500L); // twice per interval: every read sees new usage for every
                    // model
                    vllm.page(page.render(t));
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "page-ticker");
      ticker.setDaemon(true);
      ticker.start();

      int port = freePort();
      base = "http://127.0.0.1:" + port;
      Path cfg =
          Files.writeString(
              dir.resolve("aicost.yml"),
              """
          state: { path: %s }%s
          sources:
            vllm:
              - { name: many, url: "%s", interval: %ds, timeout: 30s, gpu_count: 8, gpu_hourly_usd: 2.5 }
          """
                  .formatted(
                      dir.resolve("ledger.db"),
                      cap == null ? "" : "\nlimits: { max_series_per_metric: " + cap + " }",
                      vllm.url(),
                      interval));
      rows.add(
          new String[] {
            "limits.max_series_per_metric",
            cap == null ? "default (10,000)" : String.format(Locale.ROOT, "%,d", cap)
          });
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(ScrapeLatencyHarness.LAUNCHER_FLAGS);
      cmd.addAll(extraJvm);
      cmd.addAll(
          List.of(
              "-jar",
              jar.toString(),
              "--config.file=" + cfg,
              "--web.listen-address=127.0.0.1:" + port));
      rows.add(
          new String[] {
            "exporter command",
            "`java "
                + String.join(" ", cmd.subList(1, cmd.size())).replace(dir.toString(), "$DIR")
                + "`"
          });

      boolean up1 = phase("run", cmd, dir, seconds, true);
      boolean up2 =
          phase("restart after SIGKILL, same ledger", cmd, dir, Math.max(30, seconds / 2), false);
      ticker.interrupt();
      System.out.println("| measurement | value |\n|---|---|");
      for (String[] r : rows) System.out.println("| " + r[0] + " | " + r[1] + " |");
      return up1 && up2 ? 0 : 1;
    }
  }

  /**
   * Runs the exporter for {@code seconds}; returns whether it stayed up. {@code kill}: SIGKILL at
   * the end (else SIGTERM).
   */
  private boolean phase(String name, List<String> cmd, Path dir, int seconds, boolean kill)
      throws Exception {
    Path log = dir.resolve("exporter-" + rows.size() + ".log"),
        gcLog = dir.resolve("gc-" + rows.size() + ".log");
    List<String> withGc = new ArrayList<>(cmd);
    withGc.add(1, "-Xlog:gc:file=" + gcLog);
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(withGc).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    List<Long> rss = new ArrayList<>();
    List<Double> durations = new ArrayList<>();
    long readyMs = -1, firstSuccessMs = -1;
    String lastMetrics = null;
    long hwm = 0;
    double lastDuration = Double.NaN;
    try {
      while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(seconds) && p.isAlive()) {
        Thread.sleep(1000);
        if (!p.isAlive()) break;
        long[] mem = ScrapeLatencyHarness.memory(p.pid());
        rss.add(mem[0]);
        hwm = mem[1];
        if (readyMs < 0 && status("/-/ready") == 200)
          readyMs = (System.nanoTime() - t0) / 1_000_000;
        String m = get("/metrics");
        if (m == null) continue;
        lastMetrics = m;
        if (firstSuccessMs < 0 && m.contains("aicost_collector_success{collector=\"vllm/many\"} 1"))
          firstSuccessMs = (System.nanoTime() - t0) / 1_000_000;
        Matcher d = DURATION.matcher(m);
        if (d.find()) {
          double v = Double.parseDouble(d.group(1));
          if (v != lastDuration)
            durations.add(v); // a new run (equal durations of two runs count once: a floor)
          lastDuration = v;
        }
      }
      boolean up = p.isAlive();
      String prefix = name + ": ";
      rows.add(
          new String[] {
            prefix + "process",
            up
                ? "up for the whole " + seconds + " s"
                : "**exited with code "
                    + p.exitValue()
                    + " after "
                    + (System.nanoTime() - t0) / 1_000_000_000
                    + " s**"
                    + lastLines(log)
          });
      rows.add(
          new String[] {
            prefix + "ready / first successful collect",
            (readyMs < 0 ? "never" : readyMs + " ms")
                + " / "
                + (firstSuccessMs < 0 ? "never" : firstSuccessMs + " ms")
                + " after process start"
          });
      if (lastMetrics != null) {
        rows.add(
            new String[] {
              prefix + "collector",
              lastMetrics.contains("aicost_collector_success{collector=\"vllm/many\"} 1")
                  ? "success=1"
                  : "**success=0**" + errors(lastMetrics)
            });
        rows.add(new String[] {prefix + "series exposed (last scrape)", families(lastMetrics)});
        rows.add(new String[] {prefix + "aicost_series_dropped_total", dropped(lastMetrics)});
      }
      if (!durations.isEmpty()) {
        List<Double> sorted = new ArrayList<>(durations);
        Collections.sort(sorted);
        rows.add(
            new String[] {
              prefix + "collect time (read + parse + price + commit of every model)",
              String.format(
                  Locale.ROOT,
                  "median %.2f s, max %.2f s over %d runs",
                  sorted.get(sorted.size() / 2),
                  sorted.get(sorted.size() - 1),
                  sorted.size())
            });
      }
      if (!rss.isEmpty()) {
        List<Long> tail = new ArrayList<>(rss.subList(rss.size() / 2, rss.size()));
        Collections.sort(tail);
        rows.add(
            new String[] {
              prefix + "RSS",
              String.format(
                  Locale.ROOT,
                  "median of the second half %.1f MiB, last %.1f MiB, VmHWM %.1f MiB",
                  mib(tail.get(tail.size() / 2)),
                  mib(rss.get(rss.size() - 1)),
                  mib(hwm))
            });
      }
      rows.add(new String[] {prefix + "GC", gc(gcLog)});
      return up;
    } finally {
      if (kill) p.destroyForcibly();
      else p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String families(String metrics) {
    Map<String, Integer> f = new TreeMap<>();
    int total = 0;
    for (String line : metrics.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      total++;
      int end = line.indexOf('{');
      String name = end < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, end);
      if (name.startsWith("aicost_")) f.merge(name, 1, Integer::sum);
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%,d in all; ", total));
    f.entrySet().stream()
        .filter(e -> e.getValue() > 10)
        .forEach(e -> sb.append(String.format(Locale.ROOT, "%s %,d; ", e.getKey(), e.getValue())));
    return sb.toString().trim();
  }

  private static String dropped(String metrics) {
    StringBuilder sb = new StringBuilder();
    Matcher m = DROPPED.matcher(metrics);
    while (m.find())
      sb.append(
          String.format(Locale.ROOT, "%s %,.0f; ", m.group(1), Double.parseDouble(m.group(2))));
    return sb.length() == 0 ? "none" : sb.toString().trim();
  }

  private static String errors(String metrics) {
    StringBuilder sb = new StringBuilder();
    for (String line : metrics.split("\n"))
      if (line.startsWith("aicost_collector_errors_total{collector=\"vllm/many\""))
        sb.append("; ").append(line);
    return sb.toString();
  }

  private static String gc(Path gcLog) throws Exception {
    if (!Files.exists(gcLog)) return "no log";
    int young = 0, full = 0;
    for (String l : Files.readAllLines(gcLog)) {
      if (l.contains("Pause Young")) young++;
      if (l.contains("Pause Full")) full++;
    }
    return young + " young, " + full + " full pauses";
  }

  private static String lastLines(Path log) throws Exception {
    List<String> lines = Files.readAllLines(log);
    StringBuilder sb = new StringBuilder();
    for (String l : lines.subList(Math.max(0, lines.size() - 3), lines.size()))
      sb.append("<br>`").append(l.replace("|", "\\|")).append('`');
    return sb.toString();
  }

  private static double mib(long bytes) {
    return bytes / 1024.0 / 1024.0;
  }

  private int status(String path) {
    try {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private String get(String path) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (Exception e) {
      return null;
    }
  }
}
