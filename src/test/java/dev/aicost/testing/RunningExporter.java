package dev.aicost.testing;

import dev.aicost.Exporter;
import dev.aicost.collect.CollectorHealth;
import dev.aicost.collect.Source;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.ExporterConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** The whole exporter in-process on a loopback port, with a test clock. */
public final class RunningExporter implements AutoCloseable {
  public final Exporter exporter;
  public final OkHttpClient http =
      new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();

  public RunningExporter(String yaml, Path configFile, Clock clock, boolean demo) throws Exception {
    this(yaml, configFile, clock, demo, null);
  }

  /** With a --web.config.file (TLS, basic auth), loaded as Main loads it. */
  public RunningExporter(
      String yaml, Path configFile, Clock clock, boolean demo, dev.aicost.http.WebSecurity web)
      throws Exception {
    ExporterConfig cfg = new ConfigLoader().parse(yaml);
    exporter =
        new Exporter(
                new Exporter.Settings(configFile, "127.0.0.1:0", null, demo, false, web, true),
                cfg,
                clock,
                http)
            .start();
  }

  public String base() {
    return "http://127.0.0.1:" + exporter.port();
  }

  public Response get(String path, String... headers) throws IOException {
    Request.Builder b = new Request.Builder().url(base() + path);
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return http.newCall(b.build()).execute();
  }

  public String text(String path, String... headers) throws IOException {
    try (Response r = get(path, headers)) {
      return r.body().string();
    }
  }

  /** Waits until every source ran at least once. */
  public void awaitFirstRuns() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = !exporter.orchestrator().sources().isEmpty();
      for (Source s : exporter.orchestrator().sources())
        all &= exporter.orchestrator().health(s.name()).everRan();
      if (all) return;
      Thread.sleep(20);
    }
    throw new AssertionError("sources did not run within 20 s");
  }

  /** Runs one collect of the named source now, on the test's thread. */
  public void collect(String collector) {
    for (Source s : exporter.orchestrator().sources()) {
      if (s.name().equals(collector)) {
        CollectorHealth h = exporter.orchestrator().health(collector);
        exporter.orchestrator().runOnce(s, h);
        return;
      }
    }
    throw new IllegalArgumentException("no source " + collector);
  }

  @Override
  public void close() {
    exporter.close();
  }
}
