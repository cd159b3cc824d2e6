package dev.aicost.bench;

import dev.aicost.testing.FakeCloudWatch;
import dev.aicost.testing.Ports;
import dev.aicost.testing.RunningExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * aicost-exporter's Bedrock source side by side with prometheus/cloudwatch_exporter, configured for
 * the same 5 Bedrock metrics of N ModelIds (bench/cloudwatch-side-by-side.sh; not a JUnit test).
 * Each exporter reads its own loopback fake CloudWatch (the same data), so the calls each one makes
 * are counted apart: ours in-process (poll every 60 s), the peer as a child JVM running its
 * released jar's collector twice, in its default GetMetricStatistics mode and with {@code
 * use_get_metric_data: true}. One, then two Prometheus servers (an HA pair) scrape all three at a
 * 60 s and a 15 s interval. Prints a Markdown table: CloudWatch requests by action, metrics
 * requested, dollars per hour at the list prices, scrape latency median and p90.
 *
 * <p>Usage: {@code CloudWatchSideBySide --peer-classpath CP [--models N] [--seconds S]} (20, 180
 * per scenario).
 */
public final class CloudWatchSideBySide {
  /** CloudWatch list prices (us-east-1): per 1,000 metrics requested / per 1,000 API requests. */
  static final double PER_METRIC = 0.01 / 1000, PER_REQUEST = 0.01 / 1000;

  static final List<String> METRICS =
      List.of(
          "InputTokenCount",
          "OutputTokenCount",
          "CacheReadInputTokenCount",
          "CacheWriteInputTokenCount",
          "Invocations");

  record Scenario(int scrapeSeconds, int prometheusServers) {}

  record Target(
      String name,
      String url,
      FakeCloudWatch fake,
      List<Long> latencies,
      java.util.concurrent.atomic.AtomicReference<String> lastBody) {
    Target(String name, String url, FakeCloudWatch fake) {
      this(
          name,
          url,
          fake,
          CloudWatchSideBySide.latencies(),
          new java.util.concurrent.atomic.AtomicReference<>(""));
    }
  }

  public static void main(String[] args) throws Exception {
    int models = 20;
    int seconds = 180;
    String peerClasspath = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--models" -> models = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--peer-classpath" -> peerClasspath = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (peerClasspath == null) throw new IllegalArgumentException("--peer-classpath is required");
    System.setProperty("aws.accessKeyId", FakeCloudWatch.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", FakeCloudWatch.SECRET_KEY);
    System.out.println(
        "| scrapes | exporter | CloudWatch requests (by action) | metrics requested | USD in the run | USD per hour | USD per 30 days | scrape latency median / p90 |");
    System.out.println("|---|---|---|---:|---:|---:|---:|---|");
    for (Scenario s : List.of(new Scenario(60, 1), new Scenario(15, 1), new Scenario(15, 2)))
      run(s, models, seconds, peerClasspath);
  }

  static void run(Scenario sc, int models, int seconds, String peerClasspath) throws Exception {
    Path dir = Files.createTempDirectory("cw-sbs");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < models; i++)
      ids.add(String.format(Locale.ROOT, "anthropic.claude-bench-%02d-v1:0", i));
    try (FakeCloudWatch ours = fill(new FakeCloudWatch(), ids);
        FakeCloudWatch peerStats = fill(new FakeCloudWatch(), ids);
        FakeCloudWatch peerData = fill(new FakeCloudWatch(), ids)) {
      peerStats.lenient(true);
      peerData.lenient(true);
      List<String> quoted = ids.stream().map(id -> "\"" + id + "\"").toList();
      String yaml =
          """
          state: { path: %s }
          sources: { nvml: { enabled: false }, bedrock: { endpoint: "%s", model_ids: [ %s ], interval: 60s } }
          """
              .formatted(dir.resolve("l.db"), ours.endpoint(), String.join(", ", quoted));
      List<Process> peers = new ArrayList<>();
      try (RunningExporter ex = new RunningExporter(yaml, null, Clock.systemUTC(), false)) {
        ex.awaitFirstRuns();
        String oursUrl = ex.base() + "/metrics";
        String statsUrl = startPeer(peers, peerClasspath, dir, "stats", peerStats, ids, false);
        String dataUrl = startPeer(peers, peerClasspath, dir, "data", peerData, ids, true);
        List<Target> targets =
            List.of(
                new Target("aicost-exporter", oursUrl, ours),
                new Target("cloudwatch_exporter (GetMetricStatistics)", statsUrl, peerStats),
                new Target("cloudwatch_exporter (use_get_metric_data)", dataUrl, peerData));
        // the exporters are up; count from here (our start-up poll already ran: it is in the
        // run's figures, as one of the run's polls)
        scrape(targets, sc, seconds);
        for (Target t : targets) report(sc, t, seconds);
        for (Target t : targets)
          Files.writeString(
              dir.resolve("last-" + t.name().replaceAll("[^a-z_]", "") + ".txt"),
              t.lastBody().get());
        System.err.println("last scrape bodies in " + dir);
      } finally {
        for (Process p : peers) p.destroy();
        for (Process p : peers) p.waitFor(10, TimeUnit.SECONDS);
      }
      for (FakeCloudWatch f : List.of(ours, peerStats, peerData))
        if (!f.protocolErrors.isEmpty()) throw new IllegalStateException("" + f.protocolErrors);
    }
  }

  static List<Long> latencies() {
    return Collections.synchronizedList(new ArrayList<>());
  }

  /** Two hours of per-minute data for every ModelId and metric. */
  static FakeCloudWatch fill(FakeCloudWatch fake, List<String> ids) {
    long m0 = Instant.now().getEpochSecond() / 60 * 60;
    for (String id : ids)
      for (int k = 0; k < 120; k++) {
        Instant t = Instant.ofEpochSecond(m0 - 60L * k);
        for (String metric : METRICS)
          fake.put(id, metric, t, metric.equals("Invocations") ? 2 : 1000 + k);
      }
    return fake;
  }

  static String startPeer(
      List<Process> peers,
      String classpath,
      Path dir,
      String name,
      FakeCloudWatch fake,
      List<String> ids,
      boolean getMetricData)
      throws Exception {
    StringBuilder cfg = new StringBuilder();
    cfg.append("region: us-east-1\nperiod_seconds: 60\nrange_seconds: 600\ndelay_seconds: 60\n");
    if (getMetricData) cfg.append("use_get_metric_data: true\n");
    cfg.append("metrics:\n");
    for (String metric : METRICS) {
      cfg.append("  - aws_namespace: AWS/Bedrock\n")
          .append("    aws_metric_name: ")
          .append(metric)
          .append("\n    aws_dimensions: [ModelId]\n    aws_dimension_select:\n      ModelId: [")
          .append(String.join(", ", ids.stream().map(i -> "\"" + i + "\"").toList()))
          .append("]\n    aws_statistics: [Sum]\n");
    }
    Path config = dir.resolve("peer-" + name + ".yml");
    Files.writeString(config, cfg.toString());
    int port = Ports.freePort();
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                classpath,
                "CloudWatchPeer",
                "" + port,
                config.toString(),
                fake.endpoint(),
                FakeCloudWatch.ACCESS_KEY,
                FakeCloudWatch.SECRET_KEY)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("peer-" + name + ".log").toFile())
            .start();
    peers.add(p);
    String url = "http://127.0.0.1:" + port + "/metrics";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        // a connection, not a scrape: a scrape would already run the collector
        new java.net.Socket("127.0.0.1", port).close();
        return url;
      } catch (java.io.IOException e) {
        if (!p.isAlive())
          throw new IllegalStateException(
              "peer exited: " + Files.readString(dir.resolve("peer-" + name + ".log")));
        if (System.nanoTime() > deadline) throw new IllegalStateException("peer not up");
        Thread.sleep(200);
      }
    }
  }

  /** Each Prometheus server scrapes every target every interval, for {@code seconds}. */
  static void scrape(List<Target> targets, Scenario sc, int seconds) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService pool = Executors.newFixedThreadPool(sc.prometheusServers() * targets.size());
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Future<?>> running = new ArrayList<>();
    AtomicInteger failures = new AtomicInteger();
    for (int server = 0; server < sc.prometheusServers(); server++) {
      long offset = server * 1000L * sc.scrapeSeconds() / sc.prometheusServers() / 2;
      for (Target t : targets)
        running.add(
            pool.submit(
                () -> {
                  Thread.sleep(offset);
                  while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r =
                        http.send(
                            HttpRequest.newBuilder(URI.create(t.url()))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    long took = System.nanoTime() - t0;
                    if (r.statusCode() != 200) failures.incrementAndGet();
                    else t.lastBody().set(r.body());
                    t.latencies().add(took);
                    long sleep = sc.scrapeSeconds() * 1000L - took / 1_000_000;
                    if (System.nanoTime() + sleep * 1_000_000 >= end) break;
                    Thread.sleep(Math.max(0, sleep));
                  }
                  return null;
                }));
    }
    for (Future<?> f : running) f.get();
    pool.shutdown();
    if (failures.get() > 0) throw new IllegalStateException(failures + " failed scrapes");
  }

  static void report(Scenario sc, Target t, int seconds) {
    FakeCloudWatch f = t.fake();
    int data = count(f, "GetMetricData");
    int stats = count(f, "GetMetricStatistics");
    int list = count(f, "ListMetrics");
    double usd = f.metricsRequested.get() * PER_METRIC + (stats + list) * PER_REQUEST;
    double perHour = usd * 3600 / seconds;
    long[] l = t.latencies().stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        Locale.ROOT,
        "| %d s x %d Prometheus, %d s | %s | %d (GetMetricData %d, GetMetricStatistics %d, ListMetrics %d) | %d | %.4f | %.4f | %.2f | %.1f / %.1f ms (%d scrapes) |%n",
        sc.scrapeSeconds(),
        sc.prometheusServers(),
        seconds,
        t.name(),
        data + stats + list,
        data,
        stats,
        list,
        f.metricsRequested.get(),
        usd,
        perHour,
        perHour * 24 * 30,
        l.length == 0 ? 0 : l[l.length / 2] / 1e6,
        l.length == 0 ? 0 : l[Math.min(l.length - 1, (int) Math.ceil(l.length * 0.9) - 1)] / 1e6,
        l.length);
  }

  static int count(FakeCloudWatch f, String action) {
    AtomicInteger n = f.callsByAction.get(action);
    return n == null ? 0 : n.get();
  }
}
