package dev.aicost.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.VllmPages;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPInputStream;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Prometheus and operators see over HTTP, with one good and one failing upstream. */
class HttpContractTest {
  @TempDir Path dir;
  private final FakeVllmServer good = new FakeVllmServer();
  private final FakeVllmServer bad = new FakeVllmServer();
  private RunningExporter ex;
  private Path configFile;

  @BeforeEach
  void start() throws Exception {
    good.page(VllmPages.v1("m", "0", 1000, 100, 250, 10, 1.7e9));
    bad.status(500).page("oops");
    String yaml = config("http://scraper:hunter2@" + bad.url().substring("http://".length()));
    configFile = Files.writeString(dir.resolve("c.yml"), yaml);
    ex =
        new RunningExporter(
            yaml, configFile, new MutableClock(Instant.parse("2026-11-23T10:00:00Z")), false);
    ex.awaitFirstRuns();
  }

  private String config(String badUrl) {
    return """
        state: { path: %s }
        sources:
          nvml: { enabled: false }
          vllm:
            - { name: good, url: "%s", interval: 1h }
            - { name: broken, url: "%s", interval: 1h }
        """
        .formatted(dir.resolve("l.db"), good.url(), badUrl);
  }

  @AfterEach
  void stop() {
    if (ex != null) ex.close();
    good.close();
    bad.close();
  }

  @Test
  void failingSourceStillGives200WithItsHealth() throws Exception {
    try (Response r = ex.get("/metrics")) {
      assertEquals(200, r.code());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", r.header("Content-Type"));
      String body = r.body().string();
      assertTrue(body.contains("aicost_collector_success{collector=\"vllm/broken\"} 0.0"), body);
      assertTrue(body.contains("aicost_collector_success{collector=\"vllm/good\"} 1.0"), body);
      assertTrue(
          body.contains(
              "aicost_collector_errors_total{collector=\"vllm/broken\",reason=\"http_status\"} 1.0"),
          body);
      assertTrue(
          body.contains(
              "aicost_upstream_requests_total{collector=\"vllm/broken\",operation=\"scrape\",outcome=\"http_500\"} 1.0"),
          body);
      assertTrue(body.contains("token_type=\"cache_read\"} 250.0"), body);
      assertFalse(body.contains("hunter2"));
    }
  }

  @Test
  void openMetricsByAcceptHeader() throws Exception {
    try (Response r =
        ex.get(
            "/metrics", "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8")) {
      assertTrue(
          r.header("Content-Type").startsWith("application/openmetrics-text"),
          r.header("Content-Type"));
      String body = r.body().string();
      assertTrue(body.endsWith("# EOF\n"));
      assertTrue(body.contains("# TYPE aicost_tokens counter"));
    }
  }

  @Test
  void nameFilterSelectsFamilies() throws Exception {
    String body = ex.text("/metrics?name[]=aicost_tokens_total&name[]=aicost_collector_success");
    assertTrue(
        body.contains("aicost_tokens_total{") && body.contains("aicost_collector_success{"), body);
    assertFalse(body.contains("aicost_requests_total"), body);
  }

  @Test
  void gzipWhenAsked() throws Exception {
    // OkHttp adds and strips gzip transparently unless the caller sets Accept-Encoding itself
    try (Response r = ex.get("/metrics", "Accept-Encoding", "gzip")) {
      assertEquals("gzip", r.header("Content-Encoding"));
      byte[] raw = r.body().bytes();
      String text =
          new String(
              new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes(),
              StandardCharsets.UTF_8);
      assertTrue(text.contains("aicost_build_info"));
    }
    try (Response r = ex.get("/metrics", "Accept-Encoding", "identity")) {
      assertEquals(null, r.header("Content-Encoding"));
    }
  }

  @Test
  void headHasHeadersAndNoBody() throws Exception {
    Request head = new Request.Builder().url(ex.base() + "/metrics").head().build();
    try (Response r = ex.http.newCall(head).execute()) {
      assertEquals(200, r.code());
      assertTrue(r.header("Content-Type").startsWith("text/plain"));
      assertEquals(0, r.body().bytes().length);
    }
  }

  @Test
  void healthReadyStatusPageAndJson() throws Exception {
    assertEquals("OK\n", ex.text("/-/healthy"));
    assertEquals("Ready\n", ex.text("/-/ready"));
    String page = ex.text("/");
    assertTrue(page.contains("vllm/broken") && page.contains("down"), page);
    assertFalse(page.contains("hunter2"), "no credentials on the status page");
    String status = ex.text("/api/v1/status");
    assertTrue(status.contains("\"collector\":\"vllm/good\""), status);
    assertFalse(status.contains("hunter2"));
    String spend = ex.text("/api/v1/spend?days=2&by=deployment");
    assertTrue(spend.contains("\"rows\""), spend);
    try (Response r = ex.get("/api/v1/spend?by=colour")) {
      assertEquals(400, r.code());
    }
  }

  @Test
  void reloadRejectsABadFileAndKeepsRunningThenAcceptsAGoodOne() throws Exception {
    Files.writeString(configFile, "sources: { vllm: [ { name: x, url: 'nope' } ] }\n");
    try (Response r = post("/-/reload")) {
      assertEquals(400, r.code());
      assertTrue(r.body().string().contains("sources.vllm[0].url"));
    }
    assertTrue(
        ex.text("/metrics").contains("collector=\"vllm/broken\""),
        "old configuration still running");

    Files.writeString(configFile, config(bad.url()).replace("name: broken", "name: renamed"));
    try (Response r = post("/-/reload")) {
      assertEquals(200, r.code(), r.body().string());
    }
    ex.awaitFirstRuns();
    String body = ex.text("/metrics");
    assertTrue(body.contains("collector=\"vllm/renamed\""), body);
    assertFalse(body.contains("collector=\"vllm/broken\""), body);
    assertTrue(
        body.contains("token_type=\"cache_read\"} 250.0"), "counters survive a reload: " + body);
  }

  private Response post(String path) throws Exception {
    return ex.http
        .newCall(
            new Request.Builder()
                .url(ex.base() + path)
                .post(RequestBody.create(new byte[0], MediaType.get("text/plain")))
                .build())
        .execute();
  }
}
