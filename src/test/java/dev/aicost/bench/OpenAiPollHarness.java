package dev.aicost.bench;

import dev.aicost.collect.Batch;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.source.AdminKey;
import dev.aicost.source.openai.HttpOpenAiUsageApi;
import dev.aicost.source.openai.OpenAiSource;
import dev.aicost.testing.FakeOpenAiServer;
import dev.aicost.testing.FakeOpenAiServer.Row;
import dev.aicost.testing.RecordingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import okhttp3.OkHttpClient;

/**
 * What one poll of the OpenAI source costs for a large organisation: G groups (project x key x
 * model) in every one-minute bucket of the 2 h window, the current minute growing before each poll.
 * Prints a Markdown table: median and max wall time of a steady-state collect (HTTP on loopback,
 * JSON, BucketTally, records), the usage bytes per poll and the checkpoint size. A plain main, run
 * by bench/openai.sh.
 */
public final class OpenAiPollHarness {
  public static void main(String[] args) throws Exception {
    int groups = 200, polls = 30;
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--groups")) groups = Integer.parseInt(args[i + 1]);
      if (args[i].equals("--polls")) polls = Integer.parseInt(args[i + 1]);
    }
    String key = "sk-admin-bench";
    Instant now = Instant.parse("2026-11-23T10:00:30Z");
    long minute = now.getEpochSecond() / 60 * 60;
    try (FakeOpenAiServer fake = new FakeOpenAiServer(key).bucketWidth(60)) {
      for (int b = 0; b <= 120; b++)
        for (int g = 0; g < groups; g++) fake.set("completions", minute - 60L * b, row(g, b + 1));
      ManagedApiSourceConfig c =
          new ManagedApiSourceConfig(
              "K",
              null,
              Duration.ofMinutes(1),
              fake.baseUrl(),
              "1m",
              Duration.ofHours(2),
              Duration.ofHours(2),
              Duration.ofSeconds(60));
      OpenAiSource s =
          new OpenAiSource(
              "openai",
              c,
              new HttpOpenAiUsageApi(
                  new OkHttpClient(),
                  c.baseUrl(),
                  AdminKey.fixed(key, "bench"),
                  c.timeout(),
                  64L << 20));
      Batch first = s.collect(now, new RecordingContext());
      s.committed(first);
      List<Double> ms = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      java.lang.management.ThreadMXBean threads =
          java.lang.management.ManagementFactory.getThreadMXBean();
      int records = 0;
      String checkpoint = first.checkpointJson();
      for (int p = 1; p <= polls; p++) {
        now = now.plusSeconds(60);
        long m = now.getEpochSecond() / 60 * 60;
        for (int g = 0; g < groups; g++) fake.set("completions", m, row(g, p + 1));
        long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
        Batch b = s.collect(now, new RecordingContext());
        // collect runs on this thread (OkHttp's execute included); the fake server on its own
        cpu.add((threads.getCurrentThreadCpuTime() - c0) / 1e6);
        ms.add((System.nanoTime() - t0) / 1e6);
        s.committed(b);
        records = b.usage().size();
        checkpoint = b.checkpointJson();
      }
      Collections.sort(ms);
      Collections.sort(cpu);
      System.out.printf(
          "| groups | keys re-read | records/poll | exporter CPU median | wall median (incl. fake) | checkpoint |%n"
              + "|---|---|---|---|---|---|%n"
              + "| %d | %d | %d | %.1f ms | %.1f ms | %.0f KiB |%n",
          groups,
          121 * groups,
          records,
          cpu.get(cpu.size() / 2),
          ms.get(ms.size() / 2),
          checkpoint.length() / 1024.0);
    }
  }

  private static Row row(int g, long n) {
    return new Row(
        "proj_" + (g % 20),
        "key_" + g,
        g % 2 == 0 ? "gpt-4o" : "gpt-4o-mini",
        false,
        "default",
        1000 * n,
        100 * n,
        0,
        50 * n,
        n);
  }
}
