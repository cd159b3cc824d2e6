package dev.aicost.source.bedrock;

import static dev.aicost.source.bedrock.Recorder.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.source.aws.AwsClients;
import dev.aicost.testing.FakeBedrockControl;
import dev.aicost.testing.FakeCloudWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Application inference profiles resolved to their model with GetInferenceProfile (the real AWS SDK
 * against a REST-JSON fake of Bedrock's control plane), so their usage is priced (issue 14).
 */
class InferenceProfileResolutionTest {
  static final Instant NOW = BedrockSourceTest.NOW;
  static final Instant M0 = BedrockSourceTest.M0;
  static final String SONNET = "anthropic.claude-3-5-sonnet-20241022-v2:0";
  static final String ARN_PREFIX =
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/";

  final FakeCloudWatch cloudWatch = new FakeCloudWatch();
  final FakeBedrockControl control = new FakeBedrockControl("us-east-1");
  final List<BedrockSource> sources = new ArrayList<>();

  @AfterEach
  void noProtocolErrors() {
    sources.forEach(BedrockSource::close);
    cloudWatch.close();
    control.close();
    assertEquals(List.of(), cloudWatch.protocolErrors);
    assertEquals(List.of(), control.protocolErrors);
  }

  static String fm(String region, String model) {
    return "arn:aws:bedrock:" + region + "::foundation-model/" + model;
  }

  BedrockSource source(List<String> modelIds) {
    BedrockSource s =
        new BedrockSource(
            new BedrockSource.Settings(
                "us-east-1",
                Duration.ofSeconds(60),
                Duration.ofMinutes(15),
                Duration.ofHours(1),
                Duration.ofHours(1),
                modelIds,
                0.01 / 1000,
                1000),
            AwsClients.cloudWatch("us-east-1", cloudWatch.endpoint(), BedrockSourceTest.creds()),
            new InferenceProfiles(
                AwsClients.bedrock("us-east-1", control.endpoint(), BedrockSourceTest.creds()),
                "us-east-1"));
    sources.add(s);
    return s;
  }

  void minute(String modelId, int minutesAgo, long input, long out) {
    Instant t = M0.minusSeconds(60L * minutesAgo);
    cloudWatch.put(modelId, "InputTokenCount", t, input);
    cloudWatch.put(modelId, "OutputTokenCount", t, out);
    cloudWatch.put(modelId, "Invocations", t, 1);
  }

  static Batch poll(BedrockSource s, Instant now, Recorder ctx) throws SourceException {
    Batch b = s.collect(now, ctx);
    s.committed(b);
    return b;
  }

  @Test
  void aProfileIsPricedAsTheModelItRoutesToWithItsScope() throws Exception {
    control.profile("inregion0001", List.of(fm("us-east-1", SONNET)));
    control.profile(
        "geographic01",
        List.of(fm("us-east-1", SONNET), fm("us-east-2", SONNET), fm("us-west-2", SONNET)));
    control.profile(
        "worldwide001",
        List.of(fm("us-east-1", SONNET), fm("eu-west-1", SONNET), fm("ap-northeast-1", SONNET)));
    String inRegion = ARN_PREFIX + "inregion0001";
    minute(inRegion, 2, 1000, 100);
    minute("geographic01", 2, 2000, 200); // the bare id form
    minute(ARN_PREFIX + "worldwide001", 2, 3000, 300);
    Recorder ctx = new Recorder();
    Batch b =
        poll(source(List.of(inRegion, "geographic01", ARN_PREFIX + "worldwide001")), NOW, ctx);

    assertEquals(1000, sum(b, SONNET, 0));
    assertEquals(2000, sum(b, "us." + SONNET, 0));
    assertEquals(3000, sum(b, "global." + SONNET, 0));
    // the profile stays the attribution key, as CloudWatch names it
    assertEquals(
        java.util.Set.of(inRegion, "geographic01", ARN_PREFIX + "worldwide001"),
        b.usage().stream()
            .map(u -> u.sourceIds().get("inference_profile"))
            .collect(java.util.stream.Collectors.toSet()));
    assertEquals(3, control.calls.get());
    assertEquals(List.of(), ctx.partialErrors);
    assertEquals(
        3,
        ctx.calls.stream().filter(c -> c.equals("GetInferenceProfile/ok")).count(),
        ctx.calls::toString);

    // resolved once: later polls ask nothing
    minute(inRegion, 0, 10, 1);
    poll(sources.get(0), NOW.plusSeconds(60), new Recorder());
    poll(sources.get(0), NOW.plusSeconds(120), new Recorder());
    assertEquals(3, control.calls.get());
  }

  @Test
  void aDeniedLookupLeavesUsageCountedUnderTheIdAndIsRetriedAfterFifteenMinutes() throws Exception {
    String profile = ARN_PREFIX + "denied000001";
    control.profile("denied000001", List.of(fm("us-east-1", SONNET)));
    control.fail(1, 403, "AccessDeniedException");
    minute(profile, 2, 500, 50);
    BedrockSource s = source(List.of(profile));
    Recorder first = new Recorder();
    Batch b1 = poll(s, NOW, first);
    assertEquals(500, sum(b1, profile, 0), "counted, unpriced, under the raw id");
    assertEquals(1, first.errors("profile_unresolved"));
    String msg = first.partialErrors.get(0);
    assertTrue(msg.contains("bedrock:GetInferenceProfile"), msg);
    assertTrue(msg.contains("denied000001"), msg);
    assertFalse(msg.contains("123456789012"), "no account id: " + msg);
    assertFalse(msg.contains(FakeCloudWatch.SECRET_KEY), msg);
    assertEquals(List.of("GetInferenceProfile/auth"), calls(first));

    // within 15 minutes: no new lookup, no new error line, usage still counted
    minute(profile, 1, 70, 7);
    Recorder soon = new Recorder();
    Batch b2 = poll(s, NOW.plusSeconds(600), soon);
    assertEquals(70, sum(b2, profile, 0));
    assertEquals(0, soon.errors("profile_unresolved"));
    assertEquals(1, control.calls.get());

    // after 15 minutes the permission was granted: new usage is priced as the model
    minute(profile, -16, 30, 3);
    Recorder later = new Recorder();
    Batch b3 = poll(s, NOW.plusSeconds(16 * 60 + 30), later);
    assertEquals(30, sum(b3, SONNET, 0));
    assertEquals(0, sum(b3, profile, 0));
    assertEquals(2, control.calls.get());
    assertEquals(List.of("GetInferenceProfile/ok"), calls(later));
  }

  @Test
  void anUnknownProfileAndThrottlingAreReportedNotFatal() throws Exception {
    minute("gone00000001", 2, 40, 4);
    control.fail(1, 429, "ThrottlingException");
    control.fail(1, 429, "ThrottlingException");
    control.fail(1, 429, "ThrottlingException");
    control.fail(1, 429, "ThrottlingException");
    BedrockSource s = source(List.of("gone00000001", SONNET));
    minute(SONNET, 2, 10, 1);
    Recorder ctx = new Recorder();
    Batch b = poll(s, NOW, ctx);
    assertEquals(40, sum(b, "gone00000001", 0));
    assertEquals(10, sum(b, SONNET, 0));
    assertEquals(1, ctx.errors("profile_unresolved"), ctx.partialErrors::toString);
    // the SDK retried the throttles, then the fake said the profile does not exist
    Recorder later = new Recorder();
    poll(s, NOW.plusSeconds(16 * 60), later);
    assertEquals(1, later.errors("profile_unresolved"), later.partialErrors::toString);
    assertTrue(calls(later).get(0).startsWith("GetInferenceProfile/"), later.calls::toString);
  }

  @Test
  void lookupsAreBoundedPerPollAndTheRestResolveOnTheNext() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < InferenceProfiles.MAX_LOOKUPS_PER_POLL + 5; i++) {
      String id = String.format("prof%08d", i);
      control.profile(id, List.of(fm("us-east-1", SONNET)));
      ids.add(id);
    }
    BedrockSource s = source(ids);
    poll(s, NOW, new Recorder());
    assertEquals(InferenceProfiles.MAX_LOOKUPS_PER_POLL, control.calls.get());
    poll(s, NOW.plusSeconds(60), new Recorder());
    assertEquals(ids.size(), control.calls.get());
    poll(s, NOW.plusSeconds(120), new Recorder());
    assertEquals(ids.size(), control.calls.get());
  }

  @Test
  void aRestartResolvesAgainAndCountsNothingTwice() throws Exception {
    control.profile("restart00001", List.of(fm("us-east-1", SONNET)));
    minute("restart00001", 2, 100, 10);
    BedrockSource a = source(List.of("restart00001"));
    Batch b1 = poll(a, NOW, new Recorder());
    assertEquals(100, sum(b1, SONNET, 0));

    BedrockSource b = source(List.of("restart00001"));
    b.restore(b1.checkpointJson());
    minute("restart00001", 1, 5, 1);
    Batch b2 = poll(b, NOW.plusSeconds(60), new Recorder());
    assertEquals(5, sum(b2, SONNET, 0));
    assertEquals(0, sum(b2, "restart00001", 0));
  }

  @Test
  void scopesFollowTheRegionsOfTheProfile() {
    assertEquals("jp", InferenceProfiles.geographyOf(List.of("ap-northeast-1", "ap-northeast-3")));
    assertEquals("au", InferenceProfiles.geographyOf(List.of("ap-southeast-2", "ap-southeast-4")));
    assertEquals(
        "apac",
        InferenceProfiles.geographyOf(List.of("ap-northeast-1", "ap-south-1", "ap-southeast-1")));
    assertEquals("eu", InferenceProfiles.geographyOf(List.of("eu-west-1", "eu-central-1")));
    assertEquals(
        "us-gov", InferenceProfiles.geographyOf(List.of("us-gov-west-1", "us-gov-east-1")));
    assertEquals("us", InferenceProfiles.geographyOf(List.of("us-east-1", "us-west-2")));
    assertEquals("global", InferenceProfiles.geographyOf(List.of("us-east-1", "us-gov-west-1")));
    assertEquals("global", InferenceProfiles.geographyOf(List.of("us-east-1", "eu-west-1")));
  }

  private static List<String> calls(Recorder r) {
    return r.calls.stream().filter(c -> c.startsWith("GetInferenceProfile/")).toList();
  }
}
