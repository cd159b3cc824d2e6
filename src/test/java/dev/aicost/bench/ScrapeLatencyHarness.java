package dev.aicost.bench;

import static dev.aicost.testing.Ports.freePort;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.VllmPages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serving-path benchmark of the packaged exporter (bench/scrape.sh; not a JUnit test): the jar runs
 * as a subprocess with the launcher's JVM flags, reading two loopback fake vLLMs every second, one
 * with enough models for >= 10,000 {@code aicost_*} series whose counters keep moving (so the
 * exporter commits every second while it is scraped) and one that hangs (its collect stays in
 * flight for the whole run). Measures time to ready and to the first collect, sequential {@code
 * /metrics} latency over one kept-alive connection (identity and gzip), the exporter's CPU per
 * scrape, GC pauses, and resident memory after the run and after an idle period.
 *
 * <p>Usage: {@code ScrapeLatencyHarness <jar> [--models N] [--warmup N] [--scrapes N] [--idle
 * SECONDS] [--max-seconds S] [--jvm-opt FLAG]...}. Each latency run stops after --max-seconds
 * (default 45; its warm-up after a third of that) even if fewer than --scrapes were done, to keep
 * the whole run near 3 minutes. Prints a Markdown table. Exits 0 when everything was measured
 * (whether or not the targets were met), 2 when it could not measure (exporter not ready, too few
 * series, the hanging collect completed, a scrape failed).
 */
public final class ScrapeLatencyHarness {
  /**
   * The JVM flags of ./aicost-exporter (its AICOST_JAVA_OPTS default), read from the script so they
   * never drift.
   */
  static final List<String> LAUNCHER_FLAGS = launcherFlags();

  private static List<String> launcherFlags() {
    try {
      java.util.regex.Matcher m =
          Pattern.compile("AICOST_JAVA_OPTS:=([^}]*)}")
              .matcher(java.nio.file.Files.readString(java.nio.file.Path.of("aicost-exporter")));
      if (!m.find())
        throw new IllegalStateException("no AICOST_JAVA_OPTS default in ./aicost-exporter");
      return List.of(m.group(1).trim().split("\\s+"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(
          "run from the project root: ./aicost-exporter is read for its JVM flags", e);
    }
  }

  static final double TARGET_P99_MS = 5, TARGET_RSS_MIB = 128, TARGET_READY_S = 2;

  private static final Pattern GC_PAUSE =
      Pattern.compile("GC\\(\\d+\\) (Pause \\w+).* (\\d+\\.\\d+)ms$");

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final List<String[]> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private String base;
  private long scrapesDone; // every /metrics request of the latency runs, warm-up included

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: ScrapeLatencyHarness <jar> [--models N] [--warmup N] [--scrapes N] [--idle SECONDS] [--max-seconds S] [--jvm-opt FLAG]...");
      System.exit(64);
    }
    int models = 1500, warmup = 500, scrapes = 3000, idle = 60, maxSeconds = 45;
    List<String> extra = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--models" -> models = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--scrapes" -> scrapes = Integer.parseInt(args[++i]);
        case "--idle" -> idle = Integer.parseInt(args[++i]);
        case "--max-seconds" -> maxSeconds = Integer.parseInt(args[++i]);
        case "--jvm-opt" -> extra.add(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    int rc;
    try {
      rc =
          new ScrapeLatencyHarness()
              .run(Path.of(args[0]), models, warmup, scrapes, idle, maxSeconds, extra);
    } catch (CannotMeasure e) {
      System.err.println("could not measure: " + e.getMessage());
      rc = 2;
    }
    System.exit(rc);
  }

  static final class CannotMeasure extends Exception {
    CannotMeasure(String message) {
      super(message);
    }
  }

  int run(
      Path jar,
      int models,
      int warmup,
      int scrapes,
      int idleSeconds,
      int maxSeconds,
      List<String> extraJvm)
      throws Exception {
    if (!Files.isRegularFile(jar))
      throw new CannotMeasure("no jar at " + jar + " (run ./mvnw -DskipTests package)");
    Path dir = Files.createTempDirectory("aicost-scrape-bench");
    Path log = dir.resolve("exporter.log"), gcLog = dir.resolve("gc.log");
    System.err.println("work dir: " + dir);

    try (FakeVllmServer many = new FakeVllmServer();
        FakeVllmServer hang = new FakeVllmServer()) {
      VllmPageGenerator.ManyModels page = new VllmPageGenerator.ManyModels(models);
      many.page(page.render(0));
      hang.page(VllmPages.v1("stuck/model", "0", 100, 10, 0, 1, 1.7e9))
          .delay(TimeUnit.MINUTES.toMillis(10));
      Thread ticker =
          new Thread(
              () -> { // the counters move: every read commits usage for every model
                try {
                  for (int t = 1; ; t++) {
                    Thread.sleep(500);
                    many.page(page.render(t));
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
          state: { path: %s }
          limits: { max_series_per_metric: 20000 }
          sources:
            vllm:
              - { name: many, url: "%s", interval: 1s, timeout: 5s, gpu_count: 8, gpu_hourly_usd: 2.5 }
              - { name: hang, url: "%s", interval: 1s, timeout: 10m, gpu_count: 1, gpu_hourly_usd: 2.5 }
          """
                  .formatted(dir.resolve("ledger.db"), many.url(), hang.url()));

      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(LAUNCHER_FLAGS);
      cmd.add("-Xlog:gc:file=" + gcLog);
      cmd.addAll(extraJvm);
      cmd.addAll(
          List.of(
              "-jar",
              jar.toString(),
              "--config.file=" + cfg,
              "--web.listen-address=127.0.0.1:" + port));
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        return measure(
            p,
            t0,
            many,
            hang,
            warmup,
            scrapes,
            idleSeconds,
            maxSeconds,
            gcLog,
            String.join(" ", cmd.subList(1, cmd.size())));
      } catch (CannotMeasure | IOException | RuntimeException e) {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        System.err.println("exporter log (last lines of " + log + "):");
        lines
            .subList(Math.max(0, lines.size() - 20), lines.size())
            .forEach(l -> System.err.println("  " + l));
        throw e;
      } finally {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        ticker.interrupt();
      }
    }
  }

  private int measure(
      Process p,
      long t0,
      FakeVllmServer many,
      FakeVllmServer hang,
      int warmup,
      int scrapes,
      int idleSeconds,
      int maxSeconds,
      Path gcLog,
      String cmdLine)
      throws Exception {
    long pid = p.pid();
    // startup
    long readyNs = -1;
    while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30)) {
      if (!p.isAlive()) throw new CannotMeasure("exporter exited with " + p.exitValue());
      if (status("/-/ready") == 200) {
        readyNs = System.nanoTime() - t0;
        break;
      }
      Thread.sleep(10);
    }
    if (readyNs < 0) throw new CannotMeasure("/-/ready not 200 within 30 s");
    long collectedNs = -1;
    while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60)) {
      String body = get("/metrics");
      if (body != null && body.contains("aicost_collector_success{collector=\"vllm/many\"} 1")) {
        collectedNs = System.nanoTime() - t0;
        break;
      }
      Thread.sleep(10);
    }
    if (collectedNs < 0) throw new CannotMeasure("vllm/many never collected within 60 s");
    long[] rssAfterStart = memory(pid);

    // wait until the first read's history and the second read's delta are committed, then count
    // what is exposed
    Thread.sleep(2500);
    String page = get("/metrics");
    if (page == null) throw new CannotMeasure("/metrics failed");
    Map<String, Integer> families = new TreeMap<>();
    int series = 0;
    for (String line : page.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      series++;
      int end = line.indexOf('{');
      families.merge(
          end < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, end), 1, Integer::sum);
    }
    int aicost =
        families.entrySet().stream()
            .filter(e -> e.getKey().startsWith("aicost_"))
            .mapToInt(Map.Entry::getValue)
            .sum();
    System.err.println("exposed series: " + series + " " + families);
    if (aicost < 10_000)
      throw new CannotMeasure(
          "only " + aicost + " aicost_* series exposed (want >= 10,000); raise --models");
    checkHangInFlight(page, hang);

    // latency: identity, then gzip; the hanging collect stays in flight and vllm/many keeps
    // committing
    long cpu0 = cpuTicks(pid);
    int reads0 = many.hits();
    long tRun0 = System.nanoTime();
    Stats plain = scrapeLoop("plain", Map.of(), warmup, scrapes, maxSeconds);
    checkHangInFlight(get("/metrics"), hang);
    Stats gzip = scrapeLoop("gzip", Map.of("Accept-Encoding", "gzip"), warmup, scrapes, maxSeconds);
    checkHangInFlight(get("/metrics"), hang);
    // the same two runs through a minimal HTTP/1.1 client that reads each body into one reused
    // buffer, as
    // Prometheus does: what is left is the exporter and the loopback, not the client JVM's copies
    // and garbage
    Stats plainRaw, gzipRaw;
    try (RawClient raw = new RawClient(URI.create(base).getPort())) {
      plainRaw = rawLoop("plain-raw", raw, false, warmup, scrapes, maxSeconds);
      gzipRaw = rawLoop("gzip-raw", raw, true, warmup, scrapes, maxSeconds);
    }
    String after = get("/metrics");
    checkHangInFlight(after, hang);
    double runS = (System.nanoTime() - tRun0) / 1e9;
    long cpuTicks = cpuTicks(pid) - cpu0;
    int reads = many.hits() - reads0;
    long[] rssSteady = memory(pid);
    String heapAfterRun = heapInfo(pid);
    String nmt = nativeMemory(pid);

    // idle
    long[] rssIdle = null;
    if (idleSeconds > 0) {
      Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
      if (!p.isAlive())
        throw new CannotMeasure("exporter exited during the idle period with " + p.exitValue());
      checkHangInFlight(get("/metrics"), hang);
      rssIdle = memory(pid);
    }
    String windows = histogramLine(pid, "TrailingWindows$Obs");

    // report
    rows.add(
        row(
            "series exposed (non-comment lines of /metrics)",
            String.valueOf(series),
            "aicost_* " + aicost + ": " + describe(families)));
    rows.add(
        row(
            "ready: process start -> first 200 on /-/ready",
            ms(readyNs),
            target(readyNs / 1e9 <= TARGET_READY_S, "<= 2 s")));
    rows.add(
        row("first collect: process start -> collector_success{vllm/many} 1", ms(collectedNs), ""));
    rows.add(plain.row("`/metrics` identity (no Accept header)"));
    rows.add(gzip.row("`/metrics` gzip (`Accept-Encoding: gzip`)"));
    rows.add(plainRaw.row("`/metrics` identity, raw-socket client"));
    rows.add(gzipRaw.row("`/metrics` gzip, raw-socket client"));
    rows.add(
        row(
            "exporter CPU during the 4 latency runs",
            String.format(
                Locale.ROOT, "%.2f ms/scrape", cpuTicks * 1000.0 / ticksPerSecond() / scrapesDone),
            String.format(
                Locale.ROOT,
                "%.1f s CPU in %.1f s wall for %d scrapes (warm-up included) and %d reads+commits of vllm/many",
                cpuTicks / (double) ticksPerSecond(),
                runS,
                scrapesDone,
                reads)));
    rows.add(
        row(
            "RSS after first collect (VmRSS / VmHWM)",
            mib(rssAfterStart[0]) + " / " + mib(rssAfterStart[1]),
            ""));
    rows.add(
        row(
            "RSS after the latency runs (VmRSS / VmHWM)",
            mib(rssSteady[0]) + " / " + mib(rssSteady[1]),
            target(rssSteady[0] <= TARGET_RSS_MIB * 1024 * 1024, "<= 128 MiB")
                + "; heap "
                + heapAfterRun));
    if (rssIdle != null) {
      rows.add(
          row(
              "RSS after " + idleSeconds + " s idle (VmRSS / VmHWM)",
              mib(rssIdle[0]) + " / " + mib(rssIdle[1]),
              target(rssIdle[0] <= TARGET_RSS_MIB * 1024 * 1024, "<= 128 MiB")));
    }
    if (!nmt.isEmpty())
      rows.add(row("native memory tracking after the latency runs (committed)", "", nmt));
    rows.add(
        row(
            "GC (whole run, -Xlog:gc)",
            gcSummary(gcLog),
            windows.isEmpty() ? "" : "trailing-window observations live: " + windows));
    notes.add("exporter: java " + cmdLine);
    notes.add(
        "hanging upstream: vllm/hang read "
            + hang.hits()
            + " time(s), never answered; no "
            + "aicost_collector_last_success_timestamp_seconds / duration series for it at any check");
    notes.add(
        "load average at the end: "
            + Files.readString(Path.of("/proc/loadavg")).trim()
            + "; CPUs: "
            + Runtime.getRuntime().availableProcessors());

    System.out.println("| measurement | value | notes |");
    System.out.println("|---|---|---|");
    for (String[] r : rows) System.out.println("| " + String.join(" | ", r) + " |");
    System.out.println();
    for (String n : notes) System.out.println("- " + n);
    return 0;
  }

  /**
   * The hanging collector must still be in its first collect: it never ran to an end, success or
   * failure.
   */
  private void checkHangInFlight(String metrics, FakeVllmServer hang) throws CannotMeasure {
    if (metrics == null) throw new CannotMeasure("/metrics failed");
    if (metrics.contains("aicost_collector_last_success_timestamp_seconds{collector=\"vllm/hang\"")
        || metrics.contains("aicost_collector_duration_seconds{collector=\"vllm/hang\"")) {
      throw new CannotMeasure(
          "the hanging collector completed a run; the measurement would not be under a hanging upstream");
    }
    if (hang.hits() < 1) throw new CannotMeasure("the hanging upstream was never called");
  }

  record Stats(String name, long[] ns, long bytes, double seconds) {
    double pct(double q) {
      int i = (int) Math.ceil(q * ns.length) - 1;
      return ns[Math.max(0, Math.min(ns.length - 1, i))] / 1e6;
    }

    String[] row(String label) {
      return new String[] {
        label
            + String.format(Locale.ROOT, ", %,d sequential scrapes in %.0f s", ns.length, seconds),
        String.format(
            Locale.ROOT,
            "p50 %.2f / p90 %.2f / p99 %.2f / max %.2f ms",
            pct(.5),
            pct(.9),
            pct(.99),
            ns[ns.length - 1] / 1e6),
        String.format(
            Locale.ROOT,
            "%s; %,d bytes/response; %.0f scrapes/s; mean %.2f ms",
            target(pct(.99) <= TARGET_P99_MS, "p99 <= 5 ms"),
            bytes,
            ns.length / seconds,
            Arrays.stream(ns).average().orElse(0) / 1e6)
      };
    }
  }

  /**
   * warmup scrapes (at most a third of maxSeconds), then n measured ones, stopping early after
   * maxSeconds.
   */
  private Stats scrapeLoop(
      String name, Map<String, String> headers, int warmup, int n, int maxSeconds)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(10)).GET();
    headers.forEach(b::header);
    HttpRequest req = b.build();
    long bytes = 0;
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds) / 3;
    for (int i = 0; i < warmup && System.nanoTime() < warmupEnd; i++) once(req);
    long[] ns = new long[n];
    long start = System.nanoTime(), end = start + TimeUnit.SECONDS.toNanos(maxSeconds);
    int done = 0;
    while (done < n && (done < 100 || System.nanoTime() < end)) {
      long s = System.nanoTime();
      bytes = once(req);
      ns[done++] = System.nanoTime() - s;
    }
    if (done < n) ns = Arrays.copyOf(ns, done);
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(ns);
    System.err.printf(Locale.ROOT, "%s: %d scrapes in %.1f s%n", name, ns.length, seconds);
    return new Stats(name, ns, bytes, seconds);
  }

  private Stats rawLoop(String name, RawClient raw, boolean gzip, int warmup, int n, int maxSeconds)
      throws Exception {
    long bytes = 0;
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds) / 3;
    for (int i = 0; i < warmup && System.nanoTime() < warmupEnd; i++, scrapesDone++) raw.get(gzip);
    // at least n scrapes and, since this client is fast, for the whole maxSeconds: every commit and
    // GC of that
    // period (the exporter re-renders after each 1 s commit) falls inside the measurement
    long[] ns = new long[n];
    long start = System.nanoTime(), end = start + TimeUnit.SECONDS.toNanos(maxSeconds);
    int done = 0;
    while (done < n || System.nanoTime() < end) {
      if (done == ns.length) ns = Arrays.copyOf(ns, ns.length * 2);
      long s = System.nanoTime();
      bytes = raw.get(gzip);
      ns[done++] = System.nanoTime() - s;
      scrapesDone++;
    }
    ns = Arrays.copyOf(ns, done);
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(ns);
    System.err.printf(Locale.ROOT, "%s: %d scrapes in %.1f s%n", name, ns.length, seconds);
    return new Stats(name, ns, bytes, seconds);
  }

  /**
   * GET /metrics over one kept-alive socket; the body (Content-Length bytes) lands in one reused
   * buffer.
   */
  static final class RawClient implements AutoCloseable {
    private final java.net.Socket socket;
    private final java.io.InputStream in;
    private final java.io.OutputStream out;
    private final byte[] plainRequest, gzipRequest;
    private byte[] body = new byte[4 * 1024 * 1024];
    private final byte[] head = new byte[16 * 1024];

    RawClient(int port) throws IOException {
      socket = new java.net.Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = socket.getOutputStream();
      String req =
          "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: scrape-bench\r\n";
      plainRequest = (req + "\r\n").getBytes(StandardCharsets.US_ASCII);
      gzipRequest = (req + "Accept-Encoding: gzip\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Body length; throws if the answer is not a 200 with a Content-Length. */
    long get(boolean gzip) throws IOException, CannotMeasure {
      out.write(gzip ? gzipRequest : plainRequest);
      out.flush();
      int n = 0;
      while (n < 4
          || head[n - 4] != '\r'
          || head[n - 3] != '\n'
          || head[n - 2] != '\r'
          || head[n - 1] != '\n') {
        int b = in.read();
        if (b < 0) throw new CannotMeasure("connection closed in the response head");
        if (n == head.length)
          throw new CannotMeasure("response head over " + head.length + " bytes");
        head[n++] = (byte) b;
      }
      String h = new String(head, 0, n, StandardCharsets.ISO_8859_1);
      if (!h.startsWith("HTTP/1.1 200"))
        throw new CannotMeasure("/metrics answered " + h.lines().findFirst().orElse(""));
      Matcher m = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(h);
      if (!m.find()) throw new CannotMeasure("no Content-Length in " + h);
      int len = Integer.parseInt(m.group(1));
      if (len > body.length) body = new byte[len * 2];
      int off = 0;
      while (off < len) {
        int r = in.read(body, off, len - off);
        if (r < 0)
          throw new CannotMeasure("connection closed after " + off + " of " + len + " body bytes");
        off += r;
      }
      return len;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private long once(HttpRequest req) throws Exception {
    scrapesDone++;
    HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) throw new CannotMeasure("/metrics answered " + r.statusCode());
    return r.body().length;
  }

  private int status(String path) {
    try {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(2))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String get(String path) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(5))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** VmRSS and VmHWM in bytes. */
  static long[] memory(long pid) throws IOException {
    long rss = -1, hwm = -1;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) rss = kib(line);
      if (line.startsWith("VmHWM:")) hwm = kib(line);
    }
    return new long[] {rss, hwm};
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
  }

  /** utime + stime of the process, in clock ticks. */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
  }

  private static long ticksPerSecond() {
    return 100; // USER_HZ on Linux
  }

  private static String heapInfo(long pid) {
    String out = jcmd(pid, "GC.heap_info");
    // " def new generation   total 9792K, used 3316K ..." / " tenured generation   total 21888K,
    // used 14512K ..."
    Matcher m =
        Pattern.compile("(new|tenured) generation\\s+total (\\d+)K, used (\\d+)K").matcher(out);
    List<String> parts = new ArrayList<>();
    while (m.find())
      parts.add(
          m.group(1)
              + " "
              + Long.parseLong(m.group(3)) / 1024
              + "/"
              + Long.parseLong(m.group(2)) / 1024
              + " MiB");
    Matcher meta = Pattern.compile("Metaspace\\s+used (\\d+)K").matcher(out);
    if (meta.find()) parts.add("metaspace " + Long.parseLong(meta.group(1)) / 1024 + " MiB");
    return parts.isEmpty() ? "n/a" : String.join(", ", parts) + " (used/committed)";
  }

  /** The largest NMT categories, when the exporter runs with -XX:NativeMemoryTracking=summary. */
  private static String nativeMemory(long pid) {
    Matcher m =
        Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)")
            .matcher(jcmd(pid, "VM.native_memory summary"));
    Map<Long, String> byCommitted = new TreeMap<>(java.util.Comparator.reverseOrder());
    long total = 0;
    while (m.find()) {
      long kb = Long.parseLong(m.group(3));
      total += kb;
      byCommitted.merge(kb, m.group(1).trim(), (a, b) -> a + ", " + b);
    }
    if (total == 0) return "";
    StringBuilder sb =
        new StringBuilder(String.format(Locale.ROOT, "total %.1f MiB", total / 1024.0));
    byCommitted.entrySet().stream()
        .limit(8)
        .forEach(
            e ->
                sb.append(
                    String.format(Locale.ROOT, "; %s %.1f", e.getValue(), e.getKey() / 1024.0)));
    return sb.toString();
  }

  private static String histogramLine(long pid, String className) {
    for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
      if (!line.contains(className + " ") && !line.endsWith(className)) continue;
      String[] f = line.trim().split("\\s+"); // num: instances bytes class
      if (f.length >= 4)
        return String.format(
            Locale.ROOT,
            "%,d objects, %.1f MiB",
            Long.parseLong(f[1]),
            Long.parseLong(f[2]) / 1048576.0);
    }
    return "";
  }

  private static String jcmd(long pid, String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) return "";
    try {
      Process p =
          new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command)
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(20, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static String gcSummary(Path gcLog) throws IOException {
    if (!Files.exists(gcLog)) return "n/a";
    Map<String, List<Double>> pauses = new TreeMap<>();
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_PAUSE.matcher(line);
      if (m.find())
        pauses
            .computeIfAbsent(m.group(1), k -> new ArrayList<>())
            .add(Double.parseDouble(m.group(2)));
    }
    List<String> parts = new ArrayList<>();
    pauses.forEach(
        (kind, list) ->
            parts.add(
                String.format(
                    Locale.ROOT,
                    "%s: %d, max %.1f ms, mean %.1f ms",
                    kind,
                    list.size(),
                    list.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    list.stream().mapToDouble(Double::doubleValue).average().orElse(0))));
    return parts.isEmpty() ? "no pauses" : String.join("; ", parts);
  }

  private static String describe(Map<String, Integer> families) {
    StringBuilder sb = new StringBuilder();
    families.forEach(
        (f, n) -> {
          if (n >= 100) sb.append(sb.length() == 0 ? "" : ", ").append(f).append(' ').append(n);
        });
    return sb + (families.values().stream().anyMatch(n -> n < 100) ? ", smaller families" : "");
  }

  private static String[] row(String a, String b, String c) {
    return new String[] {a, b, c};
  }

  private static String target(boolean met, String what) {
    return (met ? "meets " : "**misses** ") + what;
  }

  private static String ms(long ns) {
    return String.format(Locale.ROOT, "%.0f ms", ns / 1e6);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
