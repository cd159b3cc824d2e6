package dev.aicost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.VllmPages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload as operators meet it over HTTP, and a ledger that disappears under a running exporter. */
class OperatorReloadTest {
  @TempDir Path dir;
  private final FakeVllmServer vllm = new FakeVllmServer();
  private final FakeVllmServer prices = new FakeVllmServer();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private RunningExporter ex;

  @AfterEach
  void stop() {
    if (ex != null) ex.close();
    vllm.close();
    prices.close();
  }

  private String config(String deployment, String extra) {
    return """
        state: { path: %s }
        sources:
          nvml: { enabled: false }
          vllm:
            - { name: %s, url: "%s", interval: 1h }
        %s
        """
        .formatted(dir.resolve("l.db"), deployment, vllm.url(), extra);
  }

  private Path start(String yaml) throws Exception {
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 250, 10, 1.7e9));
    Path file = Files.writeString(dir.resolve("c.yml"), yaml);
    ex = new RunningExporter(yaml, file, clock, false);
    ex.awaitFirstRuns();
    return file;
  }

  @Test
  void anEmptyOrCutOffFileIsRefusedOnReloadAndEverySourceKeepsRunning() throws Exception {
    Path file = start(config("a", ""));
    String before = ex.text("/metrics");
    assertTrue(before.contains("aicost_config_last_reload_successful 1.0"), before);
    assertTrue(
        before.contains("aicost_config_last_reload_success_timestamp_seconds 1.795428E9"), before);

    clock.advance(Duration.ofMinutes(5));
    for (String broken : List.of("", "state: { path: x.db }\nsources:\n")) {
      Files.writeString(file, broken);
      try (Response r = post(ex.http)) {
        String body = r.body().string();
        assertEquals(400, r.code(), body);
        assertTrue(body.contains("the previous one keeps running"), body);
      }
      String after = ex.text("/metrics");
      assertTrue(
          after.contains("aicost_collector_success{collector=\"vllm/a\"} 1.0"),
          "sources and their health stay: " + after);
      assertTrue(after.contains("aicost_config_last_reload_successful 0.0"), after);
      assertTrue(
          after.contains("aicost_config_last_reload_success_timestamp_seconds 1.795428E9"), after);
    }

    Files.writeString(file, config("b", ""));
    try (Response r = post(ex.http)) {
      assertEquals(200, r.code(), r.body().string());
    }
    ex.awaitFirstRuns();
    String good = ex.text("/metrics");
    assertTrue(good.contains("aicost_config_last_reload_successful 1.0"), good);
    assertTrue(
        good.contains("aicost_config_last_reload_success_timestamp_seconds 1.7954283E9"), good);
    assertTrue(good.contains("collector=\"vllm/b\""), good);
  }

  @Test
  void aRefusedReloadNeverEchoesAPassword() throws Exception {
    Path file = start(config("a", ""));
    Files.writeString(
        file, config("a", "").replace(vllm.url(), "ftp://scraper:hunter2@gpu-box/metrics"));
    try (Response r = post(ex.http)) {
      String body = r.body().string();
      assertEquals(400, r.code(), body);
      assertTrue(
          body.contains(
              "sources.vllm[0].url: not an http(s) URL: \"ftp://scraper:xxxxx@gpu-box/metrics\""),
          body);
      assertFalse(body.contains("hunter2"), body);
    }
    assertFalse(ex.text("/").contains("hunter2"));
    assertFalse(ex.text("/api/v1/status").contains("hunter2"));
  }

  @Test
  void twentySlowReloadersNeitherHoldUpScrapesNorRunTwentyReloads() throws Exception {
    prices.page(
        Files.readString(Path.of("src/test/resources/dev/aicost/pricing/litellm-prices.json")));
    Path file = start(config("a", "pricing: { files: [ \"" + prices.url() + "\" ] }"));
    prices.delay(1500); // every reload downloads the price file again: a slow upstream
    OkHttpClient slow =
        ex.http.newBuilder().callTimeout(Duration.ofSeconds(60)).dispatcher(dispatcher(32)).build();
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      slow.newCall(reloadRequest())
          .enqueue(
              new Callback() {
                @Override
                public void onFailure(Call call, IOException e) {
                  f.completeExceptionally(e);
                }

                @Override
                public void onResponse(Call call, Response response) {
                  f.complete(response.code());
                  response.close();
                }
              });
      answers.add(f);
    }
    // reloaders wait on the reload thread, not on server threads: every scrape is answered at once
    OkHttpClient scraper = ex.http.newBuilder().callTimeout(Duration.ofSeconds(2)).build();
    int scrapes = 0;
    while (answers.stream().anyMatch(f -> !f.isDone())) {
      try (Response r =
          scraper.newCall(new Request.Builder().url(ex.base() + "/metrics").build()).execute()) {
        assertEquals(200, r.code());
        assertTrue(r.body().string().contains("aicost_collector_success"));
      }
      scrapes++;
      Thread.sleep(20);
    }
    for (CompletableFuture<Integer> f : answers) assertEquals(200, f.get(1, TimeUnit.SECONDS));
    assertTrue(scrapes >= 10, "scrapes ran while reloads did: " + scrapes);
    assertTrue(
        ex.exporter.reloadsRun() <= 3,
        "20 requests coalesced, reloads run: " + ex.exporter.reloadsRun());
    assertTrue(Files.exists(file));
  }

  @Test
  void aReloadDownloadsEachPriceFileOnce() throws Exception {
    prices.page(
        Files.readString(Path.of("src/test/resources/dev/aicost/pricing/litellm-prices.json")));
    start(config("a", "pricing: { files: [ \"" + prices.url() + "\" ] }"));
    assertEquals(1, prices.hits(), "start");
    try (Response r = post(ex.http)) {
      assertEquals(200, r.code(), r.body().string());
    }
    assertEquals(2, prices.hits(), "the catalog validated by the reload is the one it adopts");
  }

  @Test
  void aLedgerDeletedWhileRunningIsACollectorFailureNotSilence() throws Exception {
    start(config("a", ""));
    Files.delete(dir.resolve("l.db"));
    vllm.page(VllmPages.v1("m", "0", 2000, 200, 250, 20, 1.7e9));
    clock.advance(Duration.ofSeconds(15));
    ex.collect("vllm/a");
    String m = ex.text("/metrics");
    assertTrue(m.contains("aicost_collector_success{collector=\"vllm/a\"} 0.0"), m);
    assertTrue(
        m.contains("aicost_collector_errors_total{collector=\"vllm/a\",reason=\"ledger\"} 1.0"), m);
    assertTrue(
        m.matches("(?s).*\naicost_requests_total\\{[^}]*} 10\\.0\n.*"),
        "nothing counted into a deleted ledger: " + m);
  }

  private static okhttp3.Dispatcher dispatcher(int max) {
    okhttp3.Dispatcher d = new okhttp3.Dispatcher();
    d.setMaxRequests(max);
    d.setMaxRequestsPerHost(max);
    return d;
  }

  private Request reloadRequest() {
    return new Request.Builder()
        .url(ex.base() + "/-/reload")
        .post(RequestBody.create(new byte[0], MediaType.get("text/plain")))
        .build();
  }

  private Response post(OkHttpClient http) throws IOException {
    return http.newCall(reloadRequest()).execute();
  }
}
