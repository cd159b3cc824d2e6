package dev.aicost.bench;

import dev.aicost.testing.FakeCloudWatch;
import dev.aicost.testing.RunningExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Bedrock source costs in CloudWatch calls while Prometheus scrapes (bench/bedrock.sh; not
 * a JUnit test): the whole exporter in-process, reading a loopback fake CloudWatch (the real SDK on
 * the wire) with N ModelIds every 60 s, scraped at a 15 s and at a 1 s interval for the same wall
 * time. Counts the GetMetricData calls and metrics the fake answered, the exporter's own {@code
 * aicost_upstream_api_cost_usd_total}, and the scrape latency. Prints a Markdown table.
 *
 * <p>Usage: {@code BedrockCostHarness [--models N] [--seconds S]} (20 models, 130 s per run).
 */
public final class BedrockCostHarness {
  public static void main(String[] args) throws Exception {
    int models = 20;
    int seconds = 130;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--models")) models = Integer.parseInt(args[++i]);
      else if (args[i].equals("--seconds")) seconds = Integer.parseInt(args[++i]);
    }
    System.setProperty("aws.accessKeyId", FakeCloudWatch.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", FakeCloudWatch.SECRET_KEY);
    System.out.println(
        "| scrape interval | wall time | scrapes | polls | GetMetricData calls | metrics requested | exporter's CloudWatch USD (counter) | expected (metrics x $0.01/1,000) | scrape latency p50 / max |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (int scrapeMs : new int[] {15_000, 1_000}) run(models, seconds, scrapeMs);
  }

  static void run(int models, int seconds, int scrapeMs) throws Exception {
    Path dir = Files.createTempDirectory("bedrock-bench");
    try (FakeCloudWatch fake = new FakeCloudWatch()) {
      List<String> ids = new ArrayList<>();
      long m0 = Instant.now().getEpochSecond() / 60 * 60;
      for (int i = 0; i < models; i++) {
        String id = String.format(Locale.ROOT, "anthropic.claude-bench-%02d-v1:0", i);
        ids.add("\"" + id + "\"");
        for (int k = 0; k < 60; k++) {
          Instant t = Instant.ofEpochSecond(m0 - 60L * k);
          fake.put(id, "InputTokenCount", t, 1000 + k);
          fake.put(id, "OutputTokenCount", t, 100);
          fake.put(id, "Invocations", t, 2);
        }
      }
      String yaml =
          """
          state: { path: %s }
          sources: { nvml: { enabled: false }, bedrock: { endpoint: "%s", model_ids: [ %s ], interval: 60s } }
          """
              .formatted(dir.resolve("l.db"), fake.endpoint(), String.join(", ", ids));
      List<Long> lat = new ArrayList<>();
      String last = "";
      try (RunningExporter ex = new RunningExporter(yaml, null, Clock.systemUTC(), false)) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          last = ex.text("/metrics");
          lat.add(System.nanoTime() - t0);
          Thread.sleep(Math.max(0, scrapeMs - (System.nanoTime() - t0) / 1_000_000));
        }
        last = ex.text("/metrics"); // the counter after the last poll
      }
      long[] l = lat.stream().mapToLong(Long::longValue).sorted().toArray();
      double usd =
          sum(last, "aicost_upstream_api_cost_usd_total\\{collector=\"bedrock/us-east-1\"\\}");
      System.out.printf(
          Locale.ROOT,
          "| %d s | %d s | %d | %d | %d | %d | %.5f | %.5f | %.2f / %.2f ms |%n",
          scrapeMs / 1000,
          seconds,
          l.length,
          fake.startTimes.size(),
          fake.dataCalls.get(),
          fake.metricsRequested.get(),
          usd,
          fake.metricsRequested.get() * 0.01 / 1000,
          l[l.length / 2] / 1e6,
          l[l.length - 1] / 1e6);
      if (!fake.protocolErrors.isEmpty()) throw new IllegalStateException("" + fake.protocolErrors);
      Arrays.fill(l, 0);
    }
  }

  static double sum(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)").matcher(metrics);
    double s = 0;
    while (m.find()) s += Double.parseDouble(m.group(1));
    return s;
  }
}
