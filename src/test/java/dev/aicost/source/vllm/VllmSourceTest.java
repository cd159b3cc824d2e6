package dev.aicost.source.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.RecordingContext;
import dev.aicost.testing.VllmPages;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The vLLM source against real-format pages served over HTTP. */
class VllmSourceTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private final FakeVllmServer vllm = new FakeVllmServer();
  private final OkHttpClient http = new OkHttpClient();
  private final RecordingContext ctx = new RecordingContext();

  @AfterEach
  void close() {
    vllm.close();
  }

  private VllmSource source(Duration timeout, long maxBytes, int maxLabel) {
    return new VllmSource(
        VllmSourceConfig.of("llama-prod", vllm.url())
            .withInterval(Duration.ofSeconds(15))
            .withTimeout(timeout)
            .withGpuCount(2, null, null),
        http,
        maxBytes,
        maxLabel);
  }

  private VllmSource source() {
    return source(Duration.ofSeconds(2), 16L << 20, 1024);
  }

  /** collect + commit, as the orchestrator does after a good ledger write. */
  private static Batch read(VllmSource s, Instant at, RecordingContext ctx) throws SourceException {
    Batch b = s.collect(at, ctx);
    s.committed(b);
    return b;
  }

  private static TokenCounts tokens(Batch b) {
    return b.usage().stream().map(UsageDelta::tokens).reduce(TokenCounts.ZERO, TokenCounts::plus);
  }

  private static long requests(Batch b) {
    return b.usage().stream().mapToLong(UsageDelta::requests).sum();
  }

  @Test
  void v1TwoEnginesSumsEnginesAndPrefersCachedPromptTokens() throws Exception {
    vllm.page(FakeVllmServer.resource("vllm/v1-two-engines.txt"));
    Batch b = read(source(), T0, ctx);
    // fixture: prompt 3,000,000 (of which cached 1,200,000), generation 750,000, requests 3,150
    assertEquals(new TokenCounts(1_800_000, 1_200_000, 0, 750_000), tokens(b));
    assertEquals(3150, requests(b));
    assertEquals(1, b.usage().size());
    assertEquals("meta-llama/Llama-3.3-70B-Instruct", b.usage().get(0).model());
    assertEquals("llama-prod", b.usage().get(0).deployment());
    assertEquals(List.of("scrape/success"), ctx.calls);
  }

  @Test
  void v0PageCountsRequests() throws Exception {
    vllm.page(FakeVllmServer.resource("vllm/v0.txt"));
    Batch b = read(source(), T0, ctx);
    assertEquals(1_650_000, tokens(b).total());
    assertEquals(1000, requests(b));
  }

  @Test
  void bothPrefixCacheNamesOnOnePageAreNotCountedTwice() throws Exception {
    vllm.page(FakeVllmServer.resource("vllm/v1-0.10-both-prefix-names.txt"));
    Batch b = read(source(), T0, ctx);
    assertEquals(new TokenCounts(250_000, 150_000, 0, 100_000), tokens(b));
    assertEquals(1000, requests(b));
  }

  @Test
  void earlyV1CountsCacheHitsInBlocks() throws Exception {
    vllm.page(FakeVllmServer.resource("vllm/v1-0.8-no-engine.txt"));
    Batch b = read(source(), T0, ctx);
    // 4,500 hit blocks x block_size 16 = 72,000 cached tokens of 300,000 prompt tokens
    assertEquals(new TokenCounts(228_000, 72_000, 0, 120_000), tokens(b));
    assertEquals(550, requests(b));
  }

  /**
   * A 0.8-0.10 page with the old cache counter and the given HELP text (null: none) and block size
   * (0: none).
   */
  private static String gpuHitsPage(String help, int blockSize, String engineLabel) {
    String l = engineLabel + "model_name=\"m\"";
    StringBuilder p = new StringBuilder();
    p.append("process_start_time_seconds 1.7e9\n");
    p.append("vllm:prompt_tokens_total{").append(l).append("} 160000.0\n");
    p.append("vllm:generation_tokens_total{").append(l).append("} 1000.0\n");
    if (help != null)
      p.append("# HELP vllm:gpu_prefix_cache_hits_total ").append(help).append('\n');
    p.append("# TYPE vllm:gpu_prefix_cache_hits_total counter\n");
    p.append("vllm:gpu_prefix_cache_hits_total{").append(l).append("} 4000.0\n");
    if (blockSize > 0)
      p.append("vllm:cache_config_info{block_size=\"")
          .append(blockSize)
          .append("\",enable_prefix_caching=\"True\"} 1.0\n");
    return p.toString();
  }

  @Test
  void cacheHitsInBlocksNeedTheBlockSizeAndAreNeverGuessed() throws Exception {
    // before: 4,000 blocks were read as 4,000 tokens (16x too low) when cache_config_info was
    // missing
    vllm.page(gpuHitsPage("GPU prefix cache hits, in terms of number of cached blocks.", 16, ""));
    assertEquals(new TokenCounts(96_000, 64_000, 0, 1000), tokens(read(source(), T0, ctx)));
    vllm.page(gpuHitsPage("GPU prefix cache hits, in terms of number of cached blocks.", 0, ""));
    Batch b = read(source(), T0, ctx);
    assertEquals(new TokenCounts(160_000, 0, 0, 1000), tokens(b));
    assertFalse(b.usage().get(0).cacheKnown(), "unknown, not zero");
  }

  @Test
  void cacheHitsInTokensAreTokensWhateverTheLabels() throws Exception {
    // before: no engine label + a block size made 4,000 token hits 64,000 (x16)
    vllm.page(
        gpuHitsPage(
            "GPU prefix cache hits, in terms of number of cached tokens. DEPRECATED: Use vllm:prefix_cache_hits instead.",
            16,
            ""));
    Batch b = read(source(), T0, ctx);
    assertEquals(new TokenCounts(156_000, 4_000, 0, 1000), tokens(b));
    assertTrue(b.usage().get(0).cacheKnown());
  }

  @Test
  void aPageThatDoesNotSayTheUnitCountsNoCacheTokens() throws Exception {
    vllm.page(gpuHitsPage(null, 16, "engine=\"0\","));
    Batch b = read(source(), T0, ctx);
    assertEquals(new TokenCounts(160_000, 0, 0, 1000), tokens(b));
    assertFalse(b.usage().get(0).cacheKnown());
  }

  @Test
  void v0PrefixCacheHitRateIsUsedAndMinusOneIsUnknown() throws Exception {
    vllm.page(FakeVllmServer.resource("vllm/v0.txt"));
    Batch b = read(source(), T0, ctx);
    // lifetime block hit rate 0.25 applied to the prompt tokens: an approximation, documented
    assertEquals(new TokenCounts(900_000, 300_000, 0, 450_000), tokens(b));
    assertTrue(b.usage().get(0).cacheKnown());
    vllm.page(
        FakeVllmServer.resource("vllm/v0.txt")
            .replace(
                "vllm:gpu_prefix_cache_hit_rate{model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} 0.25",
                "vllm:gpu_prefix_cache_hit_rate{model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} -1.0"));
    Batch unknown = read(source(), T0, ctx);
    assertEquals(new TokenCounts(1_200_000, 0, 0, 450_000), tokens(unknown));
    assertFalse(unknown.usage().get(0).cacheKnown());
  }

  @Test
  void openMetricsPage() throws Exception {
    vllm.page(FakeVllmServer.resource("vllm/v1-openmetrics.txt"));
    Batch b = read(source(), T0, ctx);
    assertEquals(new TokenCounts(40_000, 10_000, 0, 20_000), tokens(b));
    assertEquals(100, requests(b));
  }

  @Test
  void deltasBetweenReadsAndGpuTimeBetweenThem() throws Exception {
    VllmSource s = source();
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 400, 10, 1.7e9));
    read(s, T0, ctx);
    vllm.page(VllmPages.v1("m", "0", 1600, 160, 700, 14, 1.7e9));
    Batch b = read(s, T0.plusSeconds(15), ctx);
    assertEquals(new TokenCounts(300, 300, 0, 60), tokens(b));
    assertEquals(4, requests(b));
    assertEquals(T0, b.usage().get(0).start());
    CapacityDelta c = b.capacity().get(0);
    assertEquals(15.0, c.seconds());
    assertEquals(2, c.gpuCount());
  }

  @Test
  void gpuTimeCarriesTheDeploymentsConfiguredPrice() throws Exception {
    VllmSource s =
        new VllmSource(
            VllmSourceConfig.of("llama-prod", vllm.url()).withGpuCount(4, 2.25, "NVIDIA L4"),
            http,
            1 << 20,
            1024);
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 400, 10, 1.7e9));
    read(s, T0, ctx);
    CapacityDelta c = read(s, T0.plusSeconds(15), ctx).capacity().get(0);
    assertEquals(4, c.gpuCount());
    assertEquals(2.25, c.gpuHourlyUsd());
    assertEquals("NVIDIA L4", c.gpuName());
    // without gpu_hourly_usd the record carries none, and pricing goes by the GPU name
    VllmSource unpriced = source();
    read(unpriced, T0, ctx);
    assertNull(read(unpriced, T0.plusSeconds(15), ctx).capacity().get(0).gpuHourlyUsd());
  }

  @Test
  void counterResetCountsOnlyWhatCameAfterIt() throws Exception {
    VllmSource s = source();
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 0, 10, 1.7e9));
    read(s, T0, ctx);
    vllm.page(
        VllmPages.v1("m", "0", 200, 20, 0, 2, 1.8e9)); // vLLM restarted: lower values, new _created
    Batch b = read(s, T0.plusSeconds(15), ctx);
    assertEquals(new TokenCounts(200, 0, 0, 20), tokens(b));
    assertEquals(2, requests(b));
  }

  @Test
  void resetWithHigherValueIsCaughtByCreatedTimestamp() throws Exception {
    VllmSource s = source();
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 0, 10, 1.7e9));
    read(s, T0, ctx);
    // restarted while we were away and already counted past the old value
    vllm.page(VllmPages.v1("m", "0", 5000, 500, 0, 50, 1.8e9));
    Batch b = read(s, T0.plusSeconds(600), ctx);
    assertEquals(new TokenCounts(5000, 0, 0, 500), tokens(b));
  }

  @Test
  void engineDisappearingIsNotAResetOfTheOthers() throws Exception {
    VllmSource s = source();
    vllm.page(
        VllmPages.v1("m", "0", 1000, 100, 0, 10, 1.7e9)
            + VllmPages.v1("m", "1", 500, 50, 0, 5, 1.7e9).replaceAll("# [A-Z]+ .*\n", ""));
    read(s, T0, ctx);
    vllm.page(VllmPages.v1("m", "0", 1100, 110, 0, 11, 1.7e9));
    Batch b = read(s, T0.plusSeconds(15), ctx);
    assertEquals(new TokenCounts(100, 0, 0, 10), tokens(b));
  }

  @Test
  void uncommittedBatchIsReadAgain() throws Exception {
    VllmSource s = source();
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 0, 10, 1.7e9));
    read(s, T0, ctx);
    vllm.page(VllmPages.v1("m", "0", 1500, 150, 0, 15, 1.7e9));
    s.collect(T0.plusSeconds(15), ctx); // ledger write failed: not committed
    Batch b = read(s, T0.plusSeconds(30), ctx);
    assertEquals(new TokenCounts(500, 0, 0, 50), tokens(b));
    assertEquals(30.0, b.capacity().get(0).seconds());
  }

  @Test
  void checkpointRestoresAcrossARestart() throws Exception {
    VllmSource first = source();
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 0, 10, 1.7e9));
    Batch b1 = read(first, T0, ctx);
    vllm.page(
        VllmPages.v1("m", "0", 4000, 400, 0, 40, 1.7e9)); // traffic while the exporter was down
    VllmSource second = source();
    second.restore(b1.checkpointJson());
    Batch b2 = read(second, T0.plusSeconds(3600), ctx);
    assertEquals(new TokenCounts(3000, 0, 0, 300), tokens(b2));
    assertEquals(3600.0, b2.capacity().get(0).seconds());
  }

  @Test
  void firstReadDatesHistoryFromProcessStartAndBooksNoGpuTime() throws Exception {
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 0, 10, 1.7e9));
    Batch b = read(source(), T0, ctx);
    assertEquals(Instant.ofEpochSecond(1_700_000_000 - 5), b.usage().get(0).start());
    assertTrue(b.capacity().isEmpty());
  }

  @Test
  void oversizedPageIsRejected() {
    vllm.page("x".repeat(5000));
    SourceException e =
        assertThrows(
            SourceException.class,
            () -> source(Duration.ofSeconds(2), 2048, 1024).collect(T0, ctx));
    assertEquals("too_large", e.reason());
    assertTrue(e.getMessage().contains("limits.max_scrape_bytes"), e.getMessage());
  }

  @Test
  void garbagePageIsAParseError() {
    vllm.page("<html><body>502 Bad Gateway</body></html>\n");
    SourceException e = assertThrows(SourceException.class, () -> source().collect(T0, ctx));
    assertEquals("parse", e.reason());
  }

  @Test
  void slowServerTimesOut() {
    vllm.page(VllmPages.v1("m", "0", 1, 1, 0, 1, 1.7e9)).delay(3000);
    long t0 = System.nanoTime();
    SourceException e =
        assertThrows(
            SourceException.class,
            () -> source(Duration.ofMillis(300), 1 << 20, 1024).collect(T0, ctx));
    assertEquals("timeout", e.reason());
    assertTrue(
        (System.nanoTime() - t0) / 1e9 < 2.5, "gave up at the timeout, not at the server's pace");
    assertEquals(List.of("scrape/timeout"), ctx.calls);
  }

  @Test
  void httpErrorAndRefusedConnection() throws Exception {
    vllm.status(503).page("busy");
    assertEquals(
        "http_status",
        assertThrows(SourceException.class, () -> source().collect(T0, ctx)).reason());
    String url = vllm.url();
    vllm.close();
    VllmSource gone =
        new VllmSource(
            VllmSourceConfig.of("x", url).withTimeout(Duration.ofSeconds(1)), http, 1 << 20, 1024);
    assertEquals(
        "connect", assertThrows(SourceException.class, () -> gone.collect(T0, ctx)).reason());
  }

  @Test
  void overLongLabelSkipsTheSeriesAndSaysSo() throws Exception {
    String page =
        VllmPages.v1("m", "0", 1000, 100, 0, 10, 1.7e9)
            + "vllm:prompt_tokens_total{engine=\"1\",model_name=\""
            + "y".repeat(5000)
            + "\"} 7.0\n";
    vllm.page(page);
    Batch b = read(source(Duration.ofSeconds(2), 1 << 20, 256), T0, ctx);
    assertEquals(1000, tokens(b).prompt());
    assertEquals(1, ctx.partialErrors.size());
    assertTrue(ctx.partialErrors.get(0).startsWith("label_too_long"));
  }

  @Test
  void credentialsInTheUrlAreSentButNeverShown() throws Exception {
    String url = vllm.url().replace("http://", "http://scraper:s3cret@");
    vllm.status(500).page("no");
    VllmSource s = new VllmSource(VllmSourceConfig.of("x", url), http, 1 << 20, 1024);
    SourceException e = assertThrows(SourceException.class, () -> s.collect(T0, ctx));
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    assertFalse(s.target().contains("s3cret"));
  }
}
