package dev.aicost.source.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.model.BilledAmount;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.AdminKey;
import dev.aicost.testing.FakeAnthropicServer;
import dev.aicost.testing.FakeAnthropicServer.Usage;
import dev.aicost.testing.Ports;
import dev.aicost.testing.RecordingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Anthropic source against a fake Admin API speaking the documented JSON. */
class AnthropicSourceTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:17:30Z");
  static final Instant H9 = Instant.parse("2026-11-23T09:00:00Z");
  static final Instant H10 = Instant.parse("2026-11-23T10:00:00Z");
  static final OkHttpClient HTTP = new OkHttpClient();

  final FakeAnthropicServer fake = new FakeAnthropicServer();
  @TempDir Path dir;

  @AfterEach
  void close() {
    fake.close();
  }

  static ManagedApiSourceConfig config(String baseUrl) {
    return config(baseUrl, "1h", Duration.ofSeconds(5));
  }

  static ManagedApiSourceConfig config(String baseUrl, String width, Duration timeout) {
    return new ManagedApiSourceConfig(
        "ANTHROPIC_ADMIN_KEY",
        null,
        Duration.ofMinutes(5),
        baseUrl,
        width,
        Duration.ofHours(2),
        Duration.ofHours(24),
        timeout);
  }

  static AnthropicSource source(ManagedApiSourceConfig cfg) {
    return AnthropicSourceKind.source(cfg, AdminKey.from(cfg, n -> FakeAnthropicServer.KEY), HTTP);
  }

  AnthropicSource source() {
    return source(config(fake.url()));
  }

  static Usage usage(String ws, String model, long in, long cr, long w5, long w1, long out) {
    return new Usage("apikey_01", ws, model, "standard", "0-200k", in, cr, w5, w1, out);
  }

  /** Collect and commit, as the orchestrator does after a successful ledger write. */
  static Batch poll(AnthropicSource s, Instant now, RecordingContext ctx) throws SourceException {
    Batch b = s.collect(now, ctx);
    s.committed(b);
    return b;
  }

  static TokenCounts total(Batch b) {
    TokenCounts t = TokenCounts.ZERO;
    for (UsageDelta u : b.usage()) t = t.plus(u.tokens());
    return t;
  }

  @Test
  void sendsTheDocumentedRequestWithAlignedStartAndAllGroups() throws Exception {
    fake.usage(H9, usage("wrkspc_a", "claude-sonnet-4-5", 1, 0, 0, 0, 1));
    // base_url without /v1 and with a trailing slash reaches the same API
    String bare = fake.url().substring(0, fake.url().length() - "/v1".length()) + "/";
    AnthropicSource s = source(config(bare));
    assertEquals(fake.url(), s.target());
    poll(s, NOW, new RecordingContext());

    FakeAnthropicServer.Seen r = fake.usageRequests().get(0);
    assertEquals("/v1/organizations/usage_report/messages", r.path());
    assertEquals(FakeAnthropicServer.KEY, r.headers().get("x-api-key"));
    assertEquals("2023-06-01", r.headers().get("anthropic-version"));
    assertTrue(r.headers().get("user-agent").startsWith("aicost-exporter/"));
    assertEquals(
        List.of("api_key_id", "workspace_id", "model", "service_tier", "context_window"),
        r.query().get("group_by[]"));
    // 24h backfill from 10:17:30, aligned to the hour
    assertEquals(List.of("2026-11-22T10:00:00Z"), r.query().get("starting_at"));
    assertEquals(List.of("1h"), r.query().get("bucket_width"));
    assertEquals(List.of("168"), r.query().get("limit"));
    FakeAnthropicServer.Seen c = fake.costRequests().get(0);
    assertEquals(List.of("2026-11-17T00:00:00Z"), c.query().get("starting_at"));
    assertEquals(List.of("1d"), c.query().get("bucket_width"));
  }

  @Test
  void minuteBucketsAskForTheMinuteLimitAndAlignToTheMinute() throws Exception {
    AnthropicSource s = source(config(fake.url(), "1m", Duration.ofSeconds(5)));
    poll(s, NOW, new RecordingContext());
    FakeAnthropicServer.Seen r = fake.usageRequests().get(0);
    assertEquals(List.of("2026-11-22T10:17:00Z"), r.query().get("starting_at"));
    assertEquals(List.of("1440"), r.query().get("limit"));
    assertEquals(List.of("1m"), r.query().get("bucket_width"));
  }

  @Test
  void tokenTypesAreExclusiveAndOneHourWritesAreTheirOwnRecord() throws Exception {
    fake.usage(H9, usage("wrkspc_a", "claude-sonnet-4-5", 100, 50, 10, 20, 7));
    fake.usage(H9, usage(null, "claude-haiku-4-5", 3, 0, 0, 0, 4));
    Batch b = poll(source(), NOW, new RecordingContext());

    UsageDelta main =
        only(
            b,
            u -> u.model().equals("claude-sonnet-4-5") && !u.sourceIds().containsKey("cache_ttl"));
    assertEquals(new TokenCounts(100, 50, 10, 7), main.tokens());
    assertEquals(0, main.requests()); // the usage report has no request count
    assertEquals("anthropic", main.provider());
    assertEquals("messages", main.service());
    assertEquals("", main.deployment());
    assertEquals(H9, main.start());
    assertEquals(H10, main.end());
    assertEquals(
        Map.of(
            "api_key_id", "apikey_01",
            "workspace_id", "wrkspc_a",
            "service_tier", "standard",
            "context_window", "0-200k"),
        main.sourceIds());
    UsageDelta oneHour = only(b, u -> "1h".equals(u.sourceIds().get("cache_ttl")));
    assertEquals(new TokenCounts(0, 0, 20, 0), oneHour.tokens());
    assertEquals(0, oneHour.requests());
    assertEquals("claude-sonnet-4-5", oneHour.model());
    assertEquals("wrkspc_a", oneHour.sourceIds().get("workspace_id"));

    UsageDelta haiku = only(b, u -> u.model().equals("claude-haiku-4-5"));
    assertEquals("default", haiku.sourceIds().get("workspace_id"));
    assertEquals(3, b.usage().size());
  }

  private static UsageDelta only(Batch b, java.util.function.Predicate<UsageDelta> p) {
    List<UsageDelta> l = b.usage().stream().filter(p).toList();
    assertEquals(1, l.size(), b.usage().toString());
    return l.get(0);
  }

  @Test
  void aGrowingBucketAndALateBucketAreCountedOnceEach() throws Exception {
    AnthropicSource s = source();
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10));
    assertEquals(new TokenCounts(100, 0, 0, 10), total(poll(s, NOW, new RecordingContext())));

    fake.usage(H10, usage("w", "m", 250, 5, 0, 0, 30)); // grew
    fake.usage(H9, usage("w", "m", 40, 0, 0, 0, 4)); // showed up late, an hour back
    Batch b = poll(s, NOW.plusSeconds(300), new RecordingContext());
    assertEquals(new TokenCounts(150 + 40, 5, 0, 24), total(b));
    assertEquals(H9, b.usage().stream().map(UsageDelta::start).min(Instant::compareTo).get());

    // nothing new: nothing counted
    assertTrue(poll(s, NOW.plusSeconds(600), new RecordingContext()).usage().isEmpty());
  }

  @Test
  void aFailedCommitCountsTheSameUsageAgainNextTime() throws Exception {
    AnthropicSource s = source();
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10));
    Batch lost = s.collect(NOW, new RecordingContext()); // the ledger write failed: not committed
    assertEquals(110, total(lost).total());
    Batch again = poll(s, NOW.plusSeconds(300), new RecordingContext());
    assertEquals(110, total(again).total());
    assertTrue(poll(s, NOW.plusSeconds(600), new RecordingContext()).usage().isEmpty());
  }

  @Test
  void readsEveryPage() throws Exception {
    fake.pageSize(2);
    for (int h = 0; h < 5; h++)
      fake.usage(H10.minusSeconds(3600L * h), usage("w", "m", 10, 0, 0, 0, 1));
    Batch b = poll(source(), NOW, new RecordingContext());
    assertEquals(new TokenCounts(50, 0, 0, 5), total(b));
    List<FakeAnthropicServer.Seen> reqs = fake.usageRequests();
    assertEquals(3, reqs.size());
    assertEquals(null, reqs.get(0).query().get("page"));
    assertTrue(reqs.get(1).query().containsKey("page"));
    // every page repeats the same query
    assertEquals(reqs.get(0).query().get("starting_at"), reqs.get(2).query().get("starting_at"));
  }

  @Test
  void aPageFailingHalfWayCountsNothingAndTheNextPollCountsAllOnce() throws Exception {
    fake.pageSize(2);
    for (int h = 0; h < 5; h++)
      fake.usage(H10.minusSeconds(3600L * h), usage("w", "m", 10, 0, 0, 0, 1));
    AnthropicSource s = source();
    fake.failPage(1, 500);
    RecordingContext ctx = new RecordingContext();
    SourceException e = assertThrows(SourceException.class, () -> s.collect(NOW, ctx));
    assertEquals("http_status", e.reason());
    assertEquals(List.of("usage_report/success", "usage_report/http_500"), ctx.calls);
    assertEquals(55, total(poll(s, NOW.plusSeconds(300), new RecordingContext())).total());
    assertTrue(poll(s, NOW.plusSeconds(600), new RecordingContext()).usage().isEmpty());
  }

  @Test
  void rateLimitedHonoursRetryAfterWithoutCallingAgainEarly() throws Exception {
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10));
    AnthropicSource s = source();
    fake.failNext(429, "120");
    SourceException e =
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext()));
    assertEquals("rate_limited", e.reason());
    assertEquals(1, fake.requests.size());

    RecordingContext early = new RecordingContext();
    SourceException held =
        assertThrows(SourceException.class, () -> s.collect(NOW.plusSeconds(60), early));
    assertEquals("rate_limited", held.reason());
    assertEquals(1, fake.requests.size()); // no call before retry-after
    assertTrue(early.calls.isEmpty());

    assertEquals(110, total(poll(s, NOW.plusSeconds(121), new RecordingContext())).total());
  }

  @Test
  void aRevokedKeyIsAnAuthFailureWithoutTheKeyAndWithoutFurtherCalls() throws Exception {
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10)).revoked(true);
    AnthropicSource s = source();
    RecordingContext ctx = new RecordingContext();
    SourceException e = assertThrows(SourceException.class, () -> s.collect(NOW, ctx));
    assertEquals("auth", e.reason());
    assertTrue(e.getMessage().contains("environment variable ANTHROPIC_ADMIN_KEY"), e.getMessage());
    assertFalse(e.getMessage().contains(FakeAnthropicServer.KEY));
    assertEquals(List.of("usage_report/http_401"), ctx.calls);
    assertEquals(1, fake.requests.size()); // no cost call, no retry

    fake.revoked(false); // a new key: the next poll counts what was missed
    assertEquals(110, total(poll(s, NOW.plusSeconds(300), new RecordingContext())).total());
  }

  @Test
  void aRedirectIsNotFollowedSoTheKeyNeverReachesAnotherHost() throws Exception {
    // a redirect to another host would carry x-api-key there (OkHttp drops only Authorization)
    List<String> elsewhere = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer other =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 4);
    other.createContext(
        "/",
        ex -> {
          elsewhere.add(String.valueOf(ex.getRequestHeaders().getFirst("x-api-key")));
          ex.sendResponseHeaders(404, -1);
          ex.close();
        });
    other.start();
    try {
      fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10))
          .redirectNext(
              "http://localhost:"
                  + other.getAddress().getPort()
                  + "/v1/organizations/usage_report");
      AnthropicSource s = source();
      SourceException e =
          assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext()));
      assertEquals("http_status", e.reason());
      assertFalse(e.getMessage().contains(FakeAnthropicServer.KEY));
      assertEquals(List.of(), elsewhere);
    } finally {
      other.stop(0);
    }
  }

  @Test
  void aMissingKeyIsACollectErrorNamingTheVariable() {
    AnthropicSource s =
        AnthropicSourceKind.source(
            config(fake.url()), AdminKey.from(config(fake.url()), n -> null), HTTP);
    SourceException e =
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext()));
    assertEquals("config", e.reason());
    assertTrue(e.getMessage().contains("ANTHROPIC_ADMIN_KEY"));
    assertEquals(0, fake.requests.size());
  }

  @Test
  void theKeyComesFromAFileWhenConfiguredSo() throws Exception {
    Path f = dir.resolve("key");
    Files.writeString(f, FakeAnthropicServer.KEY + "\n");
    ManagedApiSourceConfig cfg =
        new ManagedApiSourceConfig(
            null, f.toString(), null, fake.url(), null, null, null, Duration.ofSeconds(5));
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10));
    AnthropicSource s = AnthropicSourceKind.source(cfg, AdminKey.from(cfg), HTTP);
    assertEquals(110, total(poll(s, NOW, new RecordingContext())).total());

    Files.delete(f);
    SourceException e =
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext()));
    assertEquals("config", e.reason());
    assertTrue(e.getMessage().contains(f.toString()));
  }

  @Test
  void aKeyFileWithTwoLinesIsRefusedWithoutQuotingIt() throws Exception {
    Path f = dir.resolve("key");
    Files.writeString(f, FakeAnthropicServer.KEY + "\nsk-ant-admin01-second\n");
    ManagedApiSourceConfig cfg =
        new ManagedApiSourceConfig(
            null, f.toString(), null, fake.url(), null, null, null, Duration.ofSeconds(5));
    AnthropicSource s = AnthropicSourceKind.source(cfg, AdminKey.from(cfg), HTTP);
    SourceException e =
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext()));
    assertEquals("config", e.reason());
    assertFalse(e.getMessage().contains("sk-ant"), e.getMessage());
    assertEquals(0, fake.requests.size());
  }

  @Test
  void malformedJsonIsAParseFailureAndCountsNothing() throws Exception {
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10));
    AnthropicSource s = source();
    fake.rawNext(
        "{\"data\":[{\"starting_at\":\"2026-11-23T10:00:00Z\",\"results\":[{\"output_tokens\":");
    SourceException e =
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext()));
    assertEquals("parse", e.reason());
    fake.rawNext(
        "{\"data\":[{\"starting_at\":\"2026-11-23T10:00:00Z\",\"results\":[{\"output_tokens\":-5}]}],\"has_more\":false}");
    assertEquals(
        "parse",
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext())).reason());
    fake.rawNext("{\"data\":[{\"starting_at\":\"yesterday\",\"results\":[]}],\"has_more\":false}");
    assertEquals(
        "parse",
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext())).reason());
    assertEquals(110, total(poll(s, NOW, new RecordingContext())).total());
  }

  @Test
  void unknownFieldsAreIgnoredAndMissingOptionalFieldsAreZero() throws Exception {
    fake.usage(H10, usage("w", "m", 100, 20, 3, 4, 10)).unknownFields(true);
    assertEquals(
        new TokenCounts(100, 20, 7, 10), total(poll(source(), NOW, new RecordingContext())));

    fake.rawNext(
        "{\"data\":[{\"starting_at\":\"2026-11-23T09:00:00Z\",\"ending_at\":\"2026-11-23T10:00:00Z\","
            + "\"results\":[{\"model\":\"claude-opus-4-1\",\"output_tokens\":9,\"brand_new\":{\"x\":1}}]}],"
            + "\"has_more\":false,\"next_page\":null}");
    Batch b = poll(source(), NOW, new RecordingContext());
    assertEquals(new TokenCounts(0, 0, 0, 9), total(b));
    assertEquals(Map.of("workspace_id", "default"), b.usage().get(0).sourceIds());
  }

  @Test
  void aShrinkingBucketIsReportedAndNeverNegative() throws Exception {
    AnthropicSource s = source();
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10));
    poll(s, NOW, new RecordingContext());
    fake.usage(H10, usage("w", "m", 80, 0, 0, 0, 10)); // provider correction
    RecordingContext ctx = new RecordingContext();
    assertTrue(poll(s, NOW.plusSeconds(300), ctx).usage().isEmpty());
    assertEquals(1, ctx.errors("bucket_shrank"));
    fake.usage(H10, usage("w", "m", 130, 0, 0, 0, 10)); // grows past what was counted
    assertEquals(
        new TokenCounts(30, 0, 0, 0), total(poll(s, NOW.plusSeconds(600), new RecordingContext())));
  }

  @Test
  void aRestartRestoresTheTallyFromTheCheckpoint() throws Exception {
    AnthropicSource s = source();
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10));
    Batch b = poll(s, NOW, new RecordingContext());
    AnthropicSource restarted = source();
    restarted.restore(b.checkpointJson());
    fake.usage(H10, usage("w", "m", 120, 0, 0, 0, 10));
    assertEquals(20, total(poll(restarted, NOW.plusSeconds(300), new RecordingContext())).total());
  }

  /** Serves one group's minute usage (10 input tokens a minute from 09:00) as of {@code now}. */
  private void serveMinutes(Instant now, long width) {
    fake.clearUsage().width(width);
    long reported = now.getEpochSecond() / 60 * 60 - 60; // minutes up to the last whole one
    for (long b = H9.getEpochSecond(); b <= reported; b += width) {
      long minutes = Math.min(width, reported - b + 60) / 60;
      fake.usage(Instant.ofEpochSecond(b), usage("w", "m", 10 * minutes, 0, 0, 0, 0));
    }
  }

  @Test
  void narrowingBucketWidthAcrossARestartCountsEachTokenOnce() throws Exception {
    AnthropicSource hourly = source(config(fake.url(), "1h", Duration.ofSeconds(5)));
    serveMinutes(NOW, 3600);
    Batch b = poll(hourly, NOW, new RecordingContext());
    assertEquals(770, total(b).total()); // 09:00-10:16

    AnthropicSource minutes = source(config(fake.url(), "1m", Duration.ofSeconds(5)));
    minutes.restore(b.checkpointJson());
    Instant later = NOW.plusSeconds(13 * 60); // 10:30:30
    serveMinutes(later, 60);
    Batch c = poll(minutes, later, new RecordingContext());
    assertEquals(130, total(c).total());
    Instant after = Instant.parse("2026-11-23T12:45:30Z"); // past the old hour buckets' window
    serveMinutes(after, 60);
    Batch d = poll(minutes, after, new RecordingContext());
    assertEquals(10 * (12 * 60 + 44 - (10 * 60 + 29)), total(d).total());
    // growth inside the old hour buckets is booked to them; minute buckets after them
    Instant eleven = Instant.parse("2026-11-23T11:00:00Z");
    for (UsageDelta u : d.usage())
      assertEquals(
          u.start().isBefore(eleven) ? 3600 : 60,
          u.end().getEpochSecond() - u.start().getEpochSecond(),
          u.toString());
  }

  @Test
  void wideningBucketWidthAcrossARestartCountsEachTokenOnce() throws Exception {
    AnthropicSource minutes = source(config(fake.url(), "1m", Duration.ofSeconds(5)));
    serveMinutes(NOW, 60);
    Batch b = poll(minutes, NOW, new RecordingContext());
    assertEquals(770, total(b).total());

    AnthropicSource hourly = source(config(fake.url(), "1h", Duration.ofSeconds(5)));
    hourly.restore(b.checkpointJson());
    Instant later = NOW.plusSeconds(13 * 60);
    serveMinutes(later, 3600);
    assertEquals(130, total(poll(hourly, later, new RecordingContext())).total());
  }

  @Test
  void aSlowApiIsATimeout() {
    fake.delayMs(1500);
    AnthropicSource s = source(config(fake.url(), "1h", Duration.ofMillis(300)));
    RecordingContext ctx = new RecordingContext();
    SourceException e = assertThrows(SourceException.class, () -> s.collect(NOW, ctx));
    assertEquals("timeout", e.reason());
    assertEquals(List.of("usage_report/timeout"), ctx.calls);
  }

  @Test
  void anOversizedPageIsRefusedNotRead() throws Exception {
    for (int i = 0; i < 40; i++)
      fake.usage(H10, usage("w" + i, "claude-sonnet-4-5", 1, 0, 0, 0, 1));
    AdminApiClient small =
        new AdminApiClient(
            HTTP,
            fake.url(),
            AdminKey.from(config(fake.url()), n -> FakeAnthropicServer.KEY),
            Duration.ofSeconds(5),
            "test",
            4096);
    AnthropicSource s = new AnthropicSource(config(fake.url()), small, small.target());
    RecordingContext ctx = new RecordingContext();
    assertEquals(
        "too_large", assertThrows(SourceException.class, () -> s.collect(NOW, ctx)).reason());
    assertEquals(List.of("usage_report/too_large"), ctx.calls);
  }

  @Test
  void aRefusedConnectionIsConnect() throws Exception {
    AnthropicSource s = source(config("http://127.0.0.1:" + Ports.freePort()));
    assertEquals(
        "connect",
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext())).reason());
  }

  @Test
  void costReportCentsBecomeDollarsPerDay() throws Exception {
    fake.pageSize(2);
    fake.cost(LocalDate.parse("2026-11-21"), "123.45");
    fake.cost(LocalDate.parse("2026-11-22"), "1000", "0.5");
    fake.cost(LocalDate.parse("2026-11-23"), "7");
    Batch b = poll(source(), NOW, new RecordingContext());
    assertEquals(
        List.of(
            new BilledAmount("anthropic", "api", LocalDate.parse("2026-11-21"), 1.2345),
            new BilledAmount("anthropic", "api", LocalDate.parse("2026-11-22"), 10.005),
            new BilledAmount("anthropic", "api", LocalDate.parse("2026-11-23"), 0.07)),
        b.billed());
    assertEquals(2, fake.costRequests().size());
  }

  @Test
  void aFailingCostReportStillBooksUsage() throws Exception {
    fake.usage(H10, usage("w", "m", 100, 0, 0, 0, 10));
    fake.cost(LocalDate.parse("2026-11-23"), "not-a-number");
    RecordingContext ctx = new RecordingContext();
    Batch b = poll(source(), NOW, ctx);
    assertEquals(110, total(b).total());
    assertTrue(b.billed().isEmpty());
    assertEquals(1, ctx.errors("parse"));
  }
}
