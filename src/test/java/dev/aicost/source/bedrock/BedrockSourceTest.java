package dev.aicost.source.bedrock;

import static dev.aicost.source.bedrock.Recorder.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.aws.AwsClients;
import dev.aicost.testing.FakeCloudWatch;
import dev.aicost.testing.Ports;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** BedrockSource through the real AWS SDK against a CloudWatch fake speaking the Query protocol. */
class BedrockSourceTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:30Z");
  static final Instant M0 = Instant.parse("2026-11-23T10:00:00Z"); // the current minute
  static final String SONNET = "anthropic.claude-3-5-sonnet-20241022-v2:0";
  static final String HAIKU = "us.anthropic.claude-3-haiku-20240307-v1:0";
  static final double PRICE = 0.01 / 1000;

  final FakeCloudWatch fake = new FakeCloudWatch();
  final List<BedrockSource> sources = new ArrayList<>();

  @AfterEach
  void noProtocolErrors() {
    sources.forEach(BedrockSource::close);
    fake.close();
    assertEquals(List.of(), fake.protocolErrors);
  }

  static StaticCredentialsProvider creds() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(FakeCloudWatch.ACCESS_KEY, FakeCloudWatch.SECRET_KEY));
  }

  BedrockSource source(List<String> modelIds) {
    return source("us-east-1", fake.endpoint(), modelIds);
  }

  BedrockSource source(String region, String endpoint, List<String> modelIds) {
    BedrockSource s =
        new BedrockSource(
            new BedrockSource.Settings(
                region,
                Duration.ofSeconds(60),
                Duration.ofMinutes(15),
                Duration.ofHours(1),
                Duration.ofHours(1),
                modelIds,
                PRICE,
                1000),
            AwsClients.cloudWatch(region, endpoint, creds()));
    sources.add(s);
    return s;
  }

  static Batch poll(BedrockSource s, Instant now, Recorder ctx) throws SourceException {
    Batch b = s.collect(now, ctx);
    s.committed(b);
    return b;
  }

  void minute(String model, int minutesAgo, long input, long read, long write, long out, long n) {
    Instant t = M0.minusSeconds(60L * minutesAgo);
    fake.put(model, "InputTokenCount", t, input);
    fake.put(model, "CacheReadInputTokenCount", t, read);
    fake.put(model, "CacheWriteInputTokenCount", t, write);
    fake.put(model, "OutputTokenCount", t, out);
    fake.put(model, "Invocations", t, n);
  }

  @Test
  void discoversModelIdsAndCountsEveryMinuteOfTheBackfill() throws Exception {
    minute(SONNET, 50, 1000, 200, 30, 400, 3);
    minute(SONNET, 2, 500, 0, 0, 100, 1);
    minute(HAIKU, 0, 70, 0, 0, 7, 1);
    minute(SONNET, 70, 9999, 0, 0, 9999, 9); // before the 1h backfill
    BedrockSource s = source(null);
    Recorder ctx = new Recorder();
    Batch b = poll(s, NOW, ctx);

    assertEquals(1500, sum(b, SONNET, 0));
    assertEquals(200, sum(b, SONNET, 1));
    assertEquals(30, sum(b, SONNET, 2));
    assertEquals(500, sum(b, SONNET, 3));
    assertEquals(4, sum(b, SONNET, 4));
    assertEquals(70, sum(b, HAIKU, 0));
    UsageDelta u = b.usage().get(0);
    assertEquals("aws", u.provider());
    assertEquals("bedrock", u.service());
    assertEquals("", u.deployment());
    assertEquals(Map.of("region", "us-east-1"), u.sourceIds());
    assertEquals(60, u.end().getEpochSecond() - u.start().getEpochSecond());
    assertEquals(0, u.start().getEpochSecond() % 60);
    // the image metric with extra dimensions is no ModelId of its own
    assertTrue(b.usage().stream().noneMatch(x -> x.model().startsWith("amazon.nova-canvas")));
    assertEquals(List.of(10), fake.queriesPerCall);
    assertEquals(List.of("ListMetrics/success", "GetMetricData/success"), ctx.calls);
    // 10 metrics requested, plus one ListMetrics request, at $0.01 per 1,000
    assertEquals(11 * PRICE, ctx.cost, 1e-12);
    assertEquals(NOW.minusSeconds(3600 + 30), fake.startTimes.get(0));

    // the next poll within discovery_interval reuses the listing; nothing new, nothing counted
    Recorder again = new Recorder();
    Batch b2 = poll(s, NOW.plusSeconds(60), again);
    assertEquals(List.of(), b2.usage());
    assertEquals(List.of("GetMetricData/success"), again.calls);
    assertEquals(1, fake.listCalls.get());
    // and reads only the trailing window from then on
    assertEquals(M0.minusSeconds(15 * 60), fake.startTimes.get(1));
  }

  @Test
  void revisedMinutesCountOnlyTheDifferenceAndNeverTwice() throws Exception {
    minute(SONNET, 3, 1000, 0, 0, 100, 2);
    BedrockSource s = source(List.of(SONNET));
    Batch b1 = poll(s, NOW, new Recorder());
    assertEquals(1000, sum(b1, SONNET, 0));

    fake.put(SONNET, "InputTokenCount", M0.minusSeconds(180), 1600); // CloudWatch caught up
    Batch b2 = poll(s, NOW.plusSeconds(60), new Recorder());
    assertEquals(600, sum(b2, SONNET, 0));
    assertEquals(0, sum(b2, SONNET, 3));
    assertEquals(0, sum(b2, SONNET, 4));

    // a lower revision is reported, not subtracted, and the way back up is not counted again
    fake.put(SONNET, "InputTokenCount", M0.minusSeconds(180), 1200);
    Recorder down = new Recorder();
    assertEquals(List.of(), poll(s, NOW.plusSeconds(120), down).usage());
    assertEquals(1, down.errors("bucket_shrank"));
    fake.put(SONNET, "InputTokenCount", M0.minusSeconds(180), 1700);
    Batch b4 = poll(s, NOW.plusSeconds(180), new Recorder());
    assertEquals(100, sum(b4, SONNET, 0));
  }

  @Test
  void moreThan500QueriesTakeTwoCallsAndTheSelfCostIsMetricsTimesPrice() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 101; i++) ids.add(String.format("meta.llama-%03d-v1:0", i));
    for (String id : ids) minute(id, 1, 10, 0, 0, 1, 1);
    BedrockSource s = source(ids);
    Recorder ctx = new Recorder();
    Batch b = poll(s, NOW, ctx);
    assertEquals(List.of(500, 5), fake.queriesPerCall);
    assertEquals(1010, b.usage().stream().mapToLong(u -> u.tokens().input()).sum());
    assertEquals(fake.metricsRequested.get() * PRICE, ctx.cost, 1e-12);
    assertEquals(505 * PRICE, ctx.cost, 1e-12);
  }

  @Test
  void followsNextTokenPagesAndBillsEachPage() throws Exception {
    for (int m = 0; m < 12; m++) minute(SONNET, m, 100, 10, 1, 50, 1);
    fake.pointsPerPage(7); // 60 data points → 9 pages
    BedrockSource s = source(List.of(SONNET));
    Recorder ctx = new Recorder();
    Batch b = poll(s, NOW, ctx);
    assertEquals(1200, sum(b, SONNET, 0));
    assertEquals(120, sum(b, SONNET, 1));
    assertEquals(12, sum(b, SONNET, 2));
    assertEquals(600, sum(b, SONNET, 3));
    assertEquals(12, sum(b, SONNET, 4));
    assertEquals(9, fake.dataCalls.get());
    assertEquals(0, ctx.errors("partial_data"));
    assertEquals(fake.metricsRequested.get() * PRICE, ctx.cost, 1e-12);
  }

  @Test
  void partialDataHoldsTheFloorUntilTheMinutesAreReadWhole() throws Exception {
    minute(SONNET, 5, 100, 0, 0, 10, 1);
    minute(SONNET, 4, 200, 0, 0, 20, 1);
    fake.incomplete(SONNET, true); // the 10:56 minute is held back
    BedrockSource s = source(List.of(SONNET));
    Recorder ctx = new Recorder();
    Batch b1 = poll(s, NOW, ctx);
    assertEquals(100, sum(b1, SONNET, 0));
    assertEquals(1, ctx.errors("partial_data"));

    // still incomplete 20 minutes later, when the held minute is older than the 15m window
    assertEquals(List.of(), poll(s, NOW.plusSeconds(20 * 60), new Recorder()).usage());
    // read whole at last: still read, once
    fake.incomplete(SONNET, false);
    Batch b2 = poll(s, NOW.plusSeconds(21 * 60), new Recorder());
    assertEquals(200, sum(b2, SONNET, 0));
    assertTrue(
        fake.startTimes.get(2).isBefore(M0.minusSeconds(4 * 60)), "" + fake.startTimes.get(2));
    assertEquals(List.of(), poll(s, NOW.plusSeconds(22 * 60), new Recorder()).usage());
  }

  @Test
  void throttlingIsRetriedByTheSdkThenSucceeds() throws Exception {
    minute(SONNET, 1, 100, 0, 0, 10, 1);
    fake.fail(2, 400, "Throttling", "Rate exceeded");
    BedrockSource s = source(List.of(SONNET));
    Recorder ctx = new Recorder();
    Batch b = poll(s, NOW, ctx);
    assertEquals(100, sum(b, SONNET, 0));
    assertEquals(3, fake.dataCalls.get());
    assertEquals(List.of("GetMetricData/success"), ctx.calls);
  }

  @Test
  void throttlingPastTheRetriesFailsTheCollectAndLosesNothing() throws Exception {
    minute(SONNET, 1, 100, 0, 0, 10, 1);
    fake.fail(3, 400, "Throttling", "Rate exceeded");
    BedrockSource s = source(List.of(SONNET));
    Recorder ctx = new Recorder();
    SourceException e = assertThrows(SourceException.class, () -> s.collect(NOW, ctx));
    assertEquals("rate_limited", e.reason());
    assertEquals(List.of("GetMetricData/rate_limited"), ctx.calls);
    assertEquals(0.0, ctx.cost);
    assertEquals(100, sum(poll(s, NOW.plusSeconds(60), new Recorder()), SONNET, 0));
  }

  @Test
  void accessDeniedNamesTheIamActionAndNoSecret() throws Exception {
    fake.fail(
        1,
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:ListMetrics");
    BedrockSource s = source(null);
    Recorder ctx = new Recorder();
    SourceException e = assertThrows(SourceException.class, () -> s.collect(NOW, ctx));
    assertEquals("auth", e.reason());
    assertTrue(e.getMessage().contains("cloudwatch:ListMetrics"), e.getMessage());
    assertFalse(e.getMessage().contains("123456789012"), e.getMessage());
    assertFalse(e.getMessage().contains(FakeCloudWatch.SECRET_KEY), e.getMessage());
    assertFalse(e.getMessage().contains(FakeCloudWatch.ACCESS_KEY), e.getMessage());
    assertEquals(1, fake.listCalls.get()); // not retried

    fake.fail(1, 403, "AccessDenied", "not authorized to perform: cloudwatch:GetMetricData");
    minute(SONNET, 1, 1, 0, 0, 1, 1);
    BedrockSource listed = source(List.of(SONNET));
    SourceException d =
        assertThrows(SourceException.class, () -> listed.collect(NOW, new Recorder()));
    assertEquals("auth", d.reason());
    assertTrue(d.getMessage().contains("cloudwatch:GetMetricData"), d.getMessage());
  }

  @Test
  void expiredCredentialsAreAnAuthFailureThatSaysSo() throws Exception {
    fake.fail(1, 403, "ExpiredToken", "The security token included in the request is expired");
    BedrockSource s = source(List.of(SONNET));
    SourceException e = assertThrows(SourceException.class, () -> s.collect(NOW, new Recorder()));
    assertEquals("auth", e.reason());
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void aRegionThatIsDownFailsAloneAndTheOtherKeepsCounting() throws Exception {
    minute(SONNET, 1, 100, 0, 0, 10, 1);
    BedrockSource down =
        source("eu-west-1", "http://127.0.0.1:" + Ports.freePort(), List.of(SONNET));
    BedrockSource up = source(List.of(SONNET));
    Recorder ctx = new Recorder();
    SourceException e = assertThrows(SourceException.class, () -> down.collect(NOW, ctx));
    assertEquals("connect", e.reason());
    assertTrue(e.getMessage().contains("eu-west-1"), e.getMessage());
    assertEquals(100, sum(poll(up, NOW, new Recorder()), SONNET, 0));
  }

  @Test
  void aRestartResumesFromTheCheckpointWithoutRepeatingOrLosing() throws Exception {
    minute(SONNET, 2, 100, 0, 0, 10, 1);
    BedrockSource a = source(List.of(SONNET));
    Batch b1 = poll(a, NOW, new Recorder());
    assertEquals(100, sum(b1, SONNET, 0));
    // a collect whose commit never happened (the process died) counts nothing
    fake.put(SONNET, "InputTokenCount", M0.minusSeconds(120), 150);
    a.collect(NOW.plusSeconds(60), new Recorder());

    BedrockSource b = source(List.of(SONNET));
    b.restore(b1.checkpointJson());
    Batch b2 = poll(b, NOW.plusSeconds(120), new Recorder());
    assertEquals(50, sum(b2, SONNET, 0));
    assertEquals(0, sum(b2, SONNET, 4));
  }

  @Test
  void aModelIdListedLateIsReadBackToThePreviousListing() throws Exception {
    minute(SONNET, 1, 100, 0, 0, 10, 1);
    BedrockSource s = source(null);
    poll(s, NOW, new Recorder());
    // HAIKU's first use 40 minutes after that listing; ListMetrics shows it at the next listing,
    // an hour later: its first minutes are older than the 15m window by then
    Instant later = NOW.plusSeconds(3600);
    fake.put(HAIKU, "InputTokenCount", M0.plusSeconds(40 * 60), 700);
    fake.put(HAIKU, "Invocations", M0.plusSeconds(40 * 60), 7);
    for (int m = 1; m < 60; m++) poll(s, NOW.plusSeconds(60L * m), new Recorder());
    Batch b = poll(s, later, new Recorder());
    assertEquals(700, sum(b, HAIKU, 0));
    assertEquals(7, sum(b, HAIKU, 4));
    assertEquals(2, fake.listCalls.get());
  }

  @Test
  void applicationInferenceProfilesAreAnAttributionKey() throws Exception {
    String arn =
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
    minute(arn, 1, 100, 0, 0, 10, 1);
    minute("a1b2c3d4e5f6", 1, 5, 0, 0, 1, 1);
    Batch b = poll(source(List.of(arn, "a1b2c3d4e5f6", SONNET)), NOW, new Recorder());
    for (UsageDelta u : b.usage()) {
      assertEquals(u.model(), u.sourceIds().get("inference_profile"), u.toString());
      assertEquals("us-east-1", u.sourceIds().get("region"));
    }
    assertEquals(2, b.usage().size());
    assertNull(Map.of("region", "x").get("inference_profile"));
    assertFalse(ModelIds.isApplicationProfile(SONNET));
    assertFalse(ModelIds.isApplicationProfile(HAIKU));
  }
}
