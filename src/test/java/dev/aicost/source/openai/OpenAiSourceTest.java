package dev.aicost.source.openai;

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
import dev.aicost.testing.FakeOpenAiServer;
import dev.aicost.testing.FakeOpenAiServer.Row;
import dev.aicost.testing.RecordingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OpenAI source against the fake OpenAI server, through the real OkHttp + Jackson client. */
class OpenAiSourceTest {
  static final String KEY = "sk-admin-test-SECRET-0123456789";
  static final Instant NOW = Instant.parse("2026-11-23T10:30:00Z");
  static final long H09 = Instant.parse("2026-11-23T09:00:00Z").getEpochSecond();
  static final long H10 = Instant.parse("2026-11-23T10:00:00Z").getEpochSecond();
  static final OkHttpClient HTTP = new OkHttpClient();

  final FakeOpenAiServer fake = new FakeOpenAiServer(KEY);

  @AfterEach
  void close() {
    fake.close();
  }

  static ManagedApiSourceConfig cfg(String baseUrl, String width, Duration timeout) {
    return new ManagedApiSourceConfig(
        "OPENAI_ADMIN_KEY",
        null,
        Duration.ofMinutes(5),
        baseUrl,
        width,
        Duration.ofHours(2),
        Duration.ofHours(24),
        timeout);
  }

  OpenAiSource source(String key) {
    return source(key, "1h", Duration.ofSeconds(5));
  }

  OpenAiSource source(String key, String width, Duration timeout) {
    ManagedApiSourceConfig c = cfg(fake.baseUrl(), width, timeout);
    return new OpenAiSource(
        "openai",
        c,
        new HttpOpenAiUsageApi(
            HTTP,
            c.baseUrl(),
            AdminKey.fixed(key, "environment variable OPENAI_ADMIN_KEY"),
            timeout,
            1 << 20));
  }

  /** One poll as the orchestrator runs it: collect, then commit. */
  static List<UsageDelta> poll(OpenAiSource s, Instant now, RecordingContext ctx)
      throws SourceException {
    Batch b = s.collect(now, ctx);
    s.committed(b);
    return b.usage();
  }

  static long sum(List<UsageDelta> usage, java.util.function.ToLongFunction<UsageDelta> f) {
    return usage.stream().mapToLong(f).sum();
  }

  @Test
  void tokenTypesGroupsAndSourceIdsAsTheRecordConventionsSay() throws Exception {
    fake.set("completions", H09, Row.of("gpt-4o", 1_000_000, 200_000, 50_000, 40));
    fake.set(
        "completions",
        H09,
        new Row("proj_B", "key_B", "gpt-4o-mini", true, "flex", 900, 0, 100, 10, 3));
    fake.set("embeddings", H10, Row.of("text-embedding-3-small", 5000, 0, 0, 7));
    OpenAiSource s = source(KEY);
    RecordingContext ctx = new RecordingContext();
    List<UsageDelta> usage = poll(s, NOW, ctx);

    assertEquals(3, usage.size(), usage.toString());
    UsageDelta a = find(usage, "gpt-4o");
    assertEquals(new TokenCounts(800_000, 200_000, 0, 50_000), a.tokens());
    assertEquals(40, a.requests());
    assertEquals(Instant.ofEpochSecond(H09), a.start());
    assertEquals(Instant.ofEpochSecond(H10), a.end());
    assertEquals("openai", a.provider());
    assertEquals("completions", a.service());
    assertEquals("", a.deployment());
    assertEquals(
        Map.of("project_id", "proj_A", "api_key_id", "key_A", "service_tier", "default"),
        a.sourceIds());

    UsageDelta b = find(usage, "gpt-4o-mini");
    assertEquals(new TokenCounts(800, 0, 100, 10), b.tokens()); // 900 - 0 cached - 100 written
    assertEquals(
        Map.of(
            "project_id", "proj_B", "api_key_id", "key_B", "batch", "true", "service_tier", "flex"),
        b.sourceIds());

    UsageDelta e = find(usage, "text-embedding-3-small");
    assertEquals("embeddings", e.service());
    assertEquals(new TokenCounts(5000, 0, 0, 0), e.tokens());
    assertEquals(7, e.requests());

    String q = fake.requests.get(0);
    assertTrue(q.startsWith("/v1/organization/usage/completions?"), q);
    long floor = Instant.parse("2026-11-22T10:00:00Z").getEpochSecond(); // aligned now - 24h
    assertTrue(q.contains("start_time=" + floor), q);
    assertTrue(q.contains("bucket_width=1h&limit=168"), q);
    assertTrue(
        q.contains(
            "group_by=project_id&group_by=api_key_id&group_by=model&group_by=batch&group_by=service_tier"),
        q);
    assertEquals(
        List.of("usage_completions/success", "usage_embeddings/success", "costs/success"),
        ctx.calls);
    assertTrue(ctx.partialErrors.isEmpty(), ctx.partialErrors.toString());
  }

  static UsageDelta find(List<UsageDelta> usage, String model) {
    return usage.stream().filter(u -> u.model().equals(model)).findFirst().orElseThrow();
  }

  @Test
  void multiplePagesAreAllRead() throws Exception {
    fake.pageSize(2);
    for (int h = 0; h < 7; h++)
      fake.set("completions", H10 - h * 3600L, Row.of("gpt-4o", 100 + h, 0, 10, 1));
    RecordingContext ctx = new RecordingContext();
    List<UsageDelta> usage = poll(source(KEY), NOW, ctx);
    assertEquals(7, usage.size());
    assertEquals(700 + 21, sum(usage, u -> u.tokens().input()));
    assertEquals(4, ctx.calls.stream().filter(c -> c.startsWith("usage_completions")).count());
    assertTrue(fake.requests.stream().anyMatch(r -> r.contains("page=page3")));
  }

  @Test
  void aGrowingBucketCountsOnlyItsGrowthAndALateBucketCountsOnce() throws Exception {
    OpenAiSource s = source(KEY);
    fake.set("completions", H10, Row.of("gpt-4o", 1000, 100, 50, 2));
    List<UsageDelta> first = poll(s, NOW, new RecordingContext());
    assertEquals(new TokenCounts(900, 100, 0, 50), first.get(0).tokens());

    fake.set("completions", H10, Row.of("gpt-4o", 1500, 300, 80, 5)); // grew
    fake.set("completions", H09, Row.of("gpt-4o", 400, 0, 40, 1)); // late: an earlier hour
    List<UsageDelta> second = poll(s, NOW.plusSeconds(300), new RecordingContext());
    assertEquals(2, second.size(), second.toString());
    UsageDelta grew =
        second.stream().filter(u -> u.start().getEpochSecond() == H10).findFirst().orElseThrow();
    assertEquals(new TokenCounts(300, 200, 0, 30), grew.tokens());
    assertEquals(3, grew.requests());
    UsageDelta late =
        second.stream().filter(u -> u.start().getEpochSecond() == H09).findFirst().orElseThrow();
    assertEquals(new TokenCounts(400, 0, 0, 40), late.tokens());

    assertTrue(poll(s, NOW.plusSeconds(600), new RecordingContext()).isEmpty(), "nothing new");
  }

  @Test
  void aFailedPageMidPaginationCountsNothingAndTheNextPollCountsOnce() throws Exception {
    fake.pageSize(1);
    fake.set("completions", H09, Row.of("gpt-4o", 1000, 0, 10, 1));
    fake.set("completions", H10, Row.of("gpt-4o", 2000, 0, 20, 1));
    fake.failOnce("completions", 1, 500, null);
    OpenAiSource s = source(KEY);
    RecordingContext ctx = new RecordingContext();
    SourceException e = assertThrows(SourceException.class, () -> s.collect(NOW, ctx));
    assertEquals("http_status", e.reason());
    assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
    assertEquals(List.of("usage_completions/success", "usage_completions/http_500"), ctx.calls);

    List<UsageDelta> usage = poll(s, NOW.plusSeconds(300), new RecordingContext());
    assertEquals(3000, sum(usage, u -> u.tokens().input()));
    assertTrue(poll(s, NOW.plusSeconds(600), new RecordingContext()).isEmpty());
  }

  @Test
  void anUncommittedBatchIsCollectedAgainWholly() throws Exception {
    fake.set("completions", H10, Row.of("gpt-4o", 1000, 0, 10, 1));
    OpenAiSource s = source(KEY);
    s.collect(NOW, new RecordingContext()); // the ledger write failed: not committed
    assertEquals(
        1000, sum(poll(s, NOW.plusSeconds(60), new RecordingContext()), u -> u.tokens().input()));
  }

  @Test
  void rateLimitedWaitsForRetryAfterWithoutCalling() throws Exception {
    fake.set("completions", H10, Row.of("gpt-4o", 1000, 0, 10, 1));
    fake.failOnce("completions", 0, 429, "600");
    OpenAiSource s = source(KEY);
    SourceException e =
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext()));
    assertEquals("rate_limited", e.reason());
    long hits = fake.hits();
    RecordingContext quiet = new RecordingContext();
    e = assertThrows(SourceException.class, () -> s.collect(NOW.plusSeconds(300), quiet));
    assertEquals("rate_limited", e.reason());
    assertEquals(hits, fake.hits(), "no call before retry-after passed");
    assertTrue(quiet.calls.isEmpty());
    List<UsageDelta> usage = poll(s, NOW.plusSeconds(601), new RecordingContext());
    assertEquals(1000, sum(usage, u -> u.tokens().input()));
  }

  @Test
  void aRevokedKeyIsAnAuthErrorNamingWhereTheKeyComesFromNeverTheKey() throws Exception {
    fake.revoked(true);
    RecordingContext ctx = new RecordingContext();
    SourceException e = assertThrows(SourceException.class, () -> source(KEY).collect(NOW, ctx));
    assertEquals("auth", e.reason());
    assertTrue(e.getMessage().contains("OPENAI_ADMIN_KEY"), e.getMessage());
    assertFalse(e.getMessage().contains(KEY));
    assertEquals(List.of("usage_completions/http_401"), ctx.calls, "one call, no retry");
  }

  @Test
  void aWrongKeyIsRefusedByTheFakeToo() {
    SourceException e =
        assertThrows(
            SourceException.class,
            () -> source("sk-admin-other").collect(NOW, new RecordingContext()));
    assertEquals("auth", e.reason());
  }

  @Test
  void aMissingKeyIsAConfigErrorWithoutACall() {
    ManagedApiSourceConfig c = cfg(fake.baseUrl(), "1h", Duration.ofSeconds(5));
    AdminKey k = AdminKey.from(c, name -> null);
    OpenAiSource missing =
        new OpenAiSource(
            "openai", c, new HttpOpenAiUsageApi(HTTP, c.baseUrl(), k, c.timeout(), 1 << 20));
    SourceException e =
        assertThrows(SourceException.class, () -> missing.collect(NOW, new RecordingContext()));
    assertEquals("config", e.reason());
    assertEquals("no admin key: environment variable OPENAI_ADMIN_KEY is not set", e.getMessage());
    assertEquals(0, fake.hits());
  }

  @Test
  void malformedJsonIsAParseErrorAndNothingIsCounted() throws Exception {
    fake.set("completions", H10, Row.of("gpt-4o", 1000, 0, 10, 1));
    fake.bodyOnce("completions", 0, "{\"object\":\"page\",\"data\":[{\"start_time\":");
    OpenAiSource s = source(KEY);
    SourceException e =
        assertThrows(SourceException.class, () -> s.collect(NOW, new RecordingContext()));
    assertEquals("parse", e.reason());
    assertEquals(1000, sum(poll(s, NOW, new RecordingContext()), u -> u.tokens().input()));
  }

  @Test
  void aSlowAnswerIsATimeout() {
    fake.delayOnce("completions", 0, 1500);
    SourceException e =
        assertThrows(
            SourceException.class,
            () -> source(KEY, "1h", Duration.ofMillis(300)).collect(NOW, new RecordingContext()));
    assertEquals("timeout", e.reason());
  }

  @Test
  void missingOptionalFieldsAreZeroAndAbsurdResultsAreRefusedAlone() throws Exception {
    long start = H10;
    String body =
        """
        {"object":"page","has_more":false,"next_page":null,"data":[
         {"object":"bucket","start_time":%d,"end_time":%d,"results":[
          {"object":"organization.usage.completions.result","input_tokens":500,"output_tokens":5,
           "num_model_requests":1,"model":"gpt-4o","brand_new":{"x":[1,2]}},
          {"object":"organization.usage.completions.result","input_tokens":-4,"output_tokens":5,
           "num_model_requests":1,"model":"gpt-4o-mini"},
          {"object":"organization.usage.completions.result","input_tokens":10,"input_cached_tokens":20,
           "output_tokens":5,"num_model_requests":1,"model":"o3"},
          {"object":"organization.usage.completions.result","input_tokens":10,"input_uncached_tokens":7,
           "input_cached_tokens":3,"output_tokens":1,"num_model_requests":1,"model":"o4-mini"}]}]}
        """
            .formatted(start, start + 3600);
    fake.bodyOnce("completions", 0, body);
    RecordingContext ctx = new RecordingContext();
    List<UsageDelta> usage = poll(source(KEY), NOW, ctx);
    assertEquals(
        List.of("gpt-4o", "o4-mini"), usage.stream().map(UsageDelta::model).sorted().toList());
    assertEquals(new TokenCounts(500, 0, 0, 5), find(usage, "gpt-4o").tokens());
    assertEquals(Map.of(), find(usage, "gpt-4o").sourceIds());
    assertEquals(new TokenCounts(7, 3, 0, 1), find(usage, "o4-mini").tokens());
    assertEquals(1, ctx.errors("bad_value"), ctx.partialErrors.toString());
    assertTrue(
        ctx.partialErrors.get(0).contains("2 results not counted"), ctx.partialErrors.toString());
  }

  @Test
  void aShrinkingBucketIsReportedNeverNegativeAndRegrowthCountsOnlyAboveTheMaximum()
      throws Exception {
    OpenAiSource s = source(KEY);
    fake.set("completions", H10, Row.of("gpt-4o", 1000, 0, 100, 10));
    poll(s, NOW, new RecordingContext());
    fake.set("completions", H10, Row.of("gpt-4o", 800, 0, 100, 8)); // provider correction
    RecordingContext ctx = new RecordingContext();
    assertTrue(poll(s, NOW.plusSeconds(60), ctx).isEmpty());
    assertEquals(1, ctx.errors("bucket_shrank"), ctx.partialErrors.toString());
    fake.set("completions", H10, Row.of("gpt-4o", 1200, 0, 100, 12));
    List<UsageDelta> usage = poll(s, NOW.plusSeconds(120), new RecordingContext());
    assertEquals(new TokenCounts(200, 0, 0, 0), usage.get(0).tokens());
    assertEquals(2, usage.get(0).requests());
  }

  @Test
  void aRestartRestoresTheCheckpointSoNothingRepeatsOrIsLost() throws Exception {
    OpenAiSource s = source(KEY);
    fake.set("completions", H10, Row.of("gpt-4o", 1000, 0, 100, 10));
    Batch b = s.collect(NOW, new RecordingContext());
    s.committed(b);
    fake.set("completions", H10, Row.of("gpt-4o", 1700, 0, 100, 10));
    OpenAiSource again = source(KEY);
    again.restore(b.checkpointJson());
    List<UsageDelta> usage = poll(again, NOW.plusSeconds(300), new RecordingContext());
    assertEquals(700, sum(usage, u -> u.tokens().input()));
  }

  @Test
  void aChangedBucketWidthNeverCountsTheSameUsageTwice() throws Exception {
    OpenAiSource hourly = source(KEY);
    fake.set("completions", H10, Row.of("gpt-4o", 3000, 0, 30, 30));
    Batch b = hourly.collect(NOW, new RecordingContext());
    hourly.committed(b);
    // the same usage, now asked for in minutes: 10:00..10:29 counted already in the hour bucket
    try (FakeOpenAiServer minutes = new FakeOpenAiServer(KEY).bucketWidth(60)) {
      for (int m = 0; m < 30; m++)
        minutes.set("completions", H10 + 60L * m, Row.of("gpt-4o", 100, 0, 1, 1));
      ManagedApiSourceConfig c = cfg(minutes.baseUrl(), "1m", Duration.ofSeconds(5));
      OpenAiSource perMinute =
          new OpenAiSource(
              "openai",
              c,
              new HttpOpenAiUsageApi(
                  HTTP, c.baseUrl(), AdminKey.fixed(KEY, "x"), c.timeout(), 1 << 20));
      perMinute.restore(b.checkpointJson());
      assertTrue(poll(perMinute, NOW.plusSeconds(60), new RecordingContext()).isEmpty());
      long h11 = H10 + 3600;
      minutes.set("completions", h11, Row.of("gpt-4o", 70, 0, 1, 1));
      List<UsageDelta> after = poll(perMinute, NOW.plusSeconds(1860), new RecordingContext());
      assertEquals(70, sum(after, u -> u.tokens().input()), "counting resumes after the hour");
    }
  }

  @Test
  void anUnreadableCheckpointNeverCountsTwice() throws Exception {
    fake.set("completions", H10, Row.of("gpt-4o", 1000, 0, 100, 10));
    OpenAiSource s = source(KEY);
    s.restore("{not json");
    assertTrue(poll(s, NOW, new RecordingContext()).isEmpty());
    assertTrue(fake.requests.get(0).contains("start_time=" + H10), "never a start in the future");
    long H11 = H10 + 3600;
    fake.set("completions", H11, Row.of("gpt-4o", 50, 0, 5, 1));
    assertEquals(
        50, sum(poll(s, NOW.plusSeconds(3600), new RecordingContext()), u -> u.tokens().input()));
  }

  @Test
  void costsAreOneBilledAmountPerDayTheWholeDayEachPoll() throws Exception {
    LocalDate today = LocalDate.of(2026, 11, 23);
    fake.cost(today.minusDays(5), "gpt-4o, input", 99); // outside the days re-read
    fake.cost(today.minusDays(1), "gpt-4o, input", 1.25)
        .cost(today.minusDays(1), "gpt-4o, output", 2.5);
    fake.cost(today, "gpt-4o, input", 0.5);
    fake.pageSize(1);
    Batch b = source(KEY).collect(NOW, new RecordingContext());
    assertEquals(
        List.of(
            new BilledAmount("openai", "api", today.minusDays(1), 3.75),
            new BilledAmount("openai", "api", today, 0.5)),
        b.billed());
    assertTrue(
        fake.requests.stream()
            .anyMatch(
                r ->
                    r.startsWith("/v1/organization/costs?")
                        && r.contains("bucket_width=1d")
                        && r.contains("group_by=project_id&group_by=line_item")
                        && r.contains(
                            "start_time="
                                + today
                                    .minusDays(2)
                                    .atStartOfDay(java.time.ZoneOffset.UTC)
                                    .toEpochSecond())));
  }

  @Test
  void aCostsFailureLosesNoUsage() throws Exception {
    fake.set("completions", H10, Row.of("gpt-4o", 1000, 0, 100, 10));
    fake.cost(LocalDate.of(2026, 11, 23), "x", 1);
    fake.failOnce("costs", 0, 503, null);
    RecordingContext ctx = new RecordingContext();
    Batch b = source(KEY).collect(NOW, ctx);
    assertEquals(1000, sum(b.usage(), u -> u.tokens().input()));
    assertTrue(b.billed().isEmpty());
    assertEquals(1, ctx.errors("http_status"), ctx.partialErrors.toString());
  }

  @Test
  void minuteBucketsAskForTheMinuteMaximum() throws Exception {
    fake.bucketWidth(60);
    long m = Instant.parse("2026-11-23T10:29:00Z").getEpochSecond();
    fake.set("completions", m, Row.of("gpt-4o", 10, 0, 1, 1));
    List<UsageDelta> usage =
        poll(source(KEY, "1m", Duration.ofSeconds(5)), NOW, new RecordingContext());
    assertEquals(Instant.ofEpochSecond(m + 60), usage.get(0).end());
    assertTrue(fake.requests.get(0).contains("bucket_width=1m&limit=1440"), fake.requests.get(0));
  }

  @Test
  void anOversizedBodyIsRefusedBeforeItIsHeld() {
    for (int h = 0; h < 24; h++)
      fake.set("completions", H10 - h * 3600L, Row.of("gpt-4o-" + "x".repeat(200), 1, 0, 1, 1));
    ManagedApiSourceConfig c = cfg(fake.baseUrl(), "1h", Duration.ofSeconds(5));
    OpenAiSource small =
        new OpenAiSource(
            "openai",
            c,
            new HttpOpenAiUsageApi(HTTP, c.baseUrl(), AdminKey.fixed(KEY, "x"), c.timeout(), 4096));
    RecordingContext ctx = new RecordingContext();
    SourceException e = assertThrows(SourceException.class, () -> small.collect(NOW, ctx));
    assertEquals("too_large", e.reason());
    assertEquals(List.of("usage_completions/too_large"), ctx.calls);
    assertTrue(fake.requests.get(0).contains("limit=168"));
    // a large organisation's pages: smaller pages from the next poll on, until they fit
    e = assertThrows(SourceException.class, () -> small.collect(NOW, new RecordingContext()));
    assertTrue(fake.requests.get(1).contains("limit=42"), fake.requests.get(1));
    List<UsageDelta> usage = null;
    for (int i = 0; i < 5 && usage == null; i++) {
      try {
        usage = poll(small, NOW, new RecordingContext());
      } catch (SourceException tooLarge) {
        assertEquals("too_large", tooLarge.reason());
      }
    }
    assertEquals(24, usage.size(), "every bucket, once");
  }

  @Test
  void aRepeatedBucketCountsOnceAndAMisalignedOneNotAtAll() throws Exception {
    String bucket =
        "{\"start_time\":%d,\"end_time\":%d,\"results\":[{\"input_tokens\":100,\"output_tokens\":1,\"num_model_requests\":1,\"model\":\"gpt-4o\"}]}";
    String first = bucket.formatted(H10, H10 + 3600);
    String shifted = bucket.formatted(H09 + 60, H10 + 60);
    fake.bodyOnce(
        "completions",
        0,
        "{\"data\":[" + first + "," + shifted + "],\"has_more\":true,\"next_page\":\"page1\"}");
    fake.bodyOnce("completions", 1, "{\"data\":[" + first + "],\"has_more\":false}");
    RecordingContext ctx = new RecordingContext();
    List<UsageDelta> usage = poll(source(KEY), NOW, ctx);
    assertEquals(100, sum(usage, u -> u.tokens().input()));
    assertEquals(1, ctx.errors("duplicate_bucket"), ctx.partialErrors.toString());
    assertEquals(1, ctx.errors("bad_value"), ctx.partialErrors.toString());
  }

  @Test
  void aCursorThatLoopsIsRefused() {
    String page = "{\"object\":\"page\",\"data\":[],\"has_more\":true,\"next_page\":\"page1\"}";
    fake.bodyOnce("completions", 0, page);
    fake.bodyOnce("completions", 1, page);
    SourceException e =
        assertThrows(SourceException.class, () -> source(KEY).collect(NOW, new RecordingContext()));
    assertEquals("parse", e.reason());
    assertTrue(e.getMessage().contains("loops"), e.getMessage());
  }

  @Test
  void baseUrlWithOrWithoutV1() {
    assertEquals("https://api.openai.com/v1", HttpOpenAiUsageApi.apiRoot(null));
    assertEquals("http://proxy:8080/v1", HttpOpenAiUsageApi.apiRoot("http://proxy:8080"));
    assertEquals("http://proxy:8080/v1", HttpOpenAiUsageApi.apiRoot("http://proxy:8080/"));
    assertEquals("http://proxy:8080/v1", HttpOpenAiUsageApi.apiRoot("http://proxy:8080/v1/"));
    assertEquals("http://p/openai/v1", HttpOpenAiUsageApi.apiRoot("http://p/openai"));
  }

  @Test
  void retryAfterSecondsOrDate() {
    assertEquals(30, HttpOpenAiUsageApi.retryAfter("30"));
    assertEquals(60, HttpOpenAiUsageApi.retryAfter(null));
    assertEquals(60, HttpOpenAiUsageApi.retryAfter("soon"));
    assertEquals(3600, HttpOpenAiUsageApi.retryAfter("31536000"), "at most an hour");
    assertEquals(0, HttpOpenAiUsageApi.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
  }
}
