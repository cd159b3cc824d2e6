package dev.aicost.source.bedrock;

import static dev.aicost.source.bedrock.Recorder.sum;
import static dev.aicost.testing.FakeBedrockControl.foundationModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.aws.AwsClients;
import dev.aicost.testing.FakeBedrockControl;
import dev.aicost.testing.FakeCloudWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Application inference profiles resolved to their model with GetInferenceProfile, through the real
 * AWS SDK against a CloudWatch fake and a Bedrock control plane fake.
 */
class InferenceProfileResolutionTest {
  static final Instant NOW = BedrockSourceTest.NOW;
  static final Instant M0 = BedrockSourceTest.M0;
  static final String SONNET = BedrockSourceTest.SONNET;
  static final String ACCOUNT = "123456789012";
  static final String GEO_ID = "a1b2c3d4e5f6";
  static final String GEO_ARN = arn(GEO_ID);
  static final String ONE_REGION_ID = "b1b2c3d4e5f6"; // CloudWatch may report the bare id
  static final String GLOBAL_ARN = arn("c1b2c3d4e5f6");

  final FakeCloudWatch cw = new FakeCloudWatch();
  final FakeBedrockControl control = new FakeBedrockControl();
  final List<BedrockSource> sources = new ArrayList<>();

  @AfterEach
  void noProtocolErrors() {
    sources.forEach(BedrockSource::close);
    cw.close();
    control.close();
    assertEquals(List.of(), cw.protocolErrors);
    assertEquals(List.of(), control.protocolErrors);
  }

  static String arn(String id) {
    return "arn:aws:bedrock:us-east-1:" + ACCOUNT + ":application-inference-profile/" + id;
  }

  static BedrockSource.Settings settings(List<String> modelIds) {
    return new BedrockSource.Settings(
        "us-east-1",
        Duration.ofSeconds(60),
        Duration.ofMinutes(15),
        Duration.ofHours(1),
        Duration.ofHours(1),
        modelIds,
        0,
        1000);
  }

  BedrockSource source(List<String> modelIds) {
    return source(modelIds, InferenceProfiles.MAX_LOOKUPS_PER_POLL);
  }

  BedrockSource source(List<String> modelIds, int maxLookups) {
    BedrockSource s =
        new BedrockSource(
            settings(modelIds),
            AwsClients.cloudWatch("us-east-1", cw.endpoint(), BedrockSourceTest.creds()),
            new InferenceProfiles(
                AwsClients.bedrock("us-east-1", control.endpoint(), BedrockSourceTest.creds()),
                "us-east-1",
                Duration.ofHours(1),
                maxLookups));
    sources.add(s);
    return s;
  }

  void minute(String model, int minutesAgo, long input, long out, long n) {
    Instant t = M0.minusSeconds(60L * minutesAgo);
    cw.put(model, "InputTokenCount", t, input);
    cw.put(model, "OutputTokenCount", t, out);
    cw.put(model, "Invocations", t, n);
  }

  static Batch poll(BedrockSource s, Instant now, Recorder ctx) throws Exception {
    return BedrockSourceTest.poll(s, now, ctx);
  }

  void geoProfile() {
    control.profile(
        GEO_ARN,
        GEO_ARN,
        GEO_ID,
        foundationModel("us-east-1", SONNET),
        foundationModel("us-east-2", SONNET),
        foundationModel("us-west-2", SONNET));
  }

  @Test
  void profilesAreResolvedToTheirModelWithTheScopeOfTheirRegions() throws Exception {
    geoProfile();
    control.profile(
        ONE_REGION_ID, arn(ONE_REGION_ID), ONE_REGION_ID, foundationModel("us-east-1", SONNET));
    control.profile(
        GLOBAL_ARN,
        GLOBAL_ARN,
        "c1b2c3d4e5f6",
        foundationModel("us-east-1", SONNET),
        foundationModel("eu-west-1", SONNET),
        foundationModel("ap-northeast-1", SONNET));
    minute(GEO_ARN, 3, 1000, 100, 2);
    minute(ONE_REGION_ID, 3, 2000, 200, 4);
    minute(GLOBAL_ARN, 3, 4000, 400, 8);
    minute(SONNET, 3, 7, 1, 1); // a foundation model id is never looked up
    Recorder ctx = new Recorder();
    Batch b = poll(source(null), NOW, ctx);

    assertEquals(1000, sum(b, "us." + SONNET, 0));
    assertEquals(2000, sum(b, SONNET, 0) - 7);
    assertEquals(4000, sum(b, "global." + SONNET, 0));
    assertEquals(400, sum(b, "global." + SONNET, 3));
    assertEquals(8, sum(b, "global." + SONNET, 4));
    for (UsageDelta u : b.usage()) {
      // the attribution key stays the raw ModelId; the raw id is no model label any more
      assertFalse(u.model().contains("application-inference-profile"), u.toString());
      assertFalse(u.model().equals(ONE_REGION_ID), u.toString());
    }
    assertEquals(
        Set.of(GEO_ARN, ONE_REGION_ID, GLOBAL_ARN),
        Set.copyOf(
            b.usage().stream()
                .map(u -> u.sourceIds().get("inference_profile"))
                .filter(x -> x != null)
                .toList()));
    UsageDelta geo =
        b.usage().stream().filter(u -> u.model().startsWith("us.")).findFirst().orElseThrow();
    assertEquals(Map.of("region", "us-east-1", "inference_profile", GEO_ARN), geo.sourceIds());
    assertEquals(3, control.calls.get());
    assertEquals(Set.of(GEO_ARN, ONE_REGION_ID, GLOBAL_ARN), Set.copyOf(control.asked));
    assertEquals(0, ctx.errors("profile_unresolved"));
    assertEquals(
        3, ctx.calls.stream().filter(c -> c.equals("GetInferenceProfile/success")).count());
  }

  @Test
  void aDeniedLookupKeepsCountingUnderTheRawIdAndIsRetriedAfter15Minutes() throws Exception {
    geoProfile();
    control.failing(GEO_ARN, 403, "AccessDeniedException");
    minute(GEO_ARN, 2, 500, 50, 1);
    BedrockSource s = source(List.of(GEO_ARN));
    Recorder ctx = new Recorder();
    Batch b1 = poll(s, NOW, ctx);
    // counted, unpriced, visible under the profile id; the poll itself did not fail
    assertEquals(500, sum(b1, GEO_ARN, 0));
    assertEquals(1, ctx.errors("profile_unresolved"));
    String message = ctx.partialErrors.get(0);
    assertTrue(message.contains("bedrock:GetInferenceProfile"), message);
    assertTrue(message.contains(GEO_ARN), message);
    assertFalse(message.contains("fake AccessDeniedException"), message); // not upstream text
    assertFalse(message.contains(FakeCloudWatch.SECRET_KEY), message);
    assertFalse(message.contains(FakeCloudWatch.ACCESS_KEY), message);
    assertTrue(ctx.calls.contains("GetInferenceProfile/auth"), ctx.calls.toString());
    assertEquals(1, control.calls.get());

    // within 15 minutes: no second call, usage still under the raw id
    minute(GEO_ARN, 0, 300, 30, 1);
    Recorder r2 = new Recorder();
    Batch b2 = poll(s, NOW.plusSeconds(14 * 60), r2);
    assertEquals(300, sum(b2, GEO_ARN, 0));
    assertEquals(1, control.calls.get());
    assertEquals(0, r2.errors("profile_unresolved"));

    // 15 minutes on: asked again; still denied, the same state is not reported again
    Recorder r3 = new Recorder();
    poll(s, NOW.plusSeconds(15 * 60), r3);
    assertEquals(2, control.calls.get());
    assertEquals(0, r3.errors("profile_unresolved"));

    // granted: the next retry resolves it, and new usage is priced as the model
    control.clearFailure(GEO_ARN);
    cw.put(GEO_ARN, "InputTokenCount", M0.plusSeconds(29 * 60), 70);
    Recorder r4 = new Recorder();
    Batch b4 = poll(s, NOW.plusSeconds(30 * 60), r4);
    assertEquals(3, control.calls.get());
    assertEquals(70, sum(b4, "us." + SONNET, 0));
    assertEquals(0, sum(b4, GEO_ARN, 0));
    assertEquals(0, r4.errors("profile_unresolved"));
  }

  @Test
  void anUnknownProfileOrThrottlingLeavesTheRawIdAndIsReported() throws Exception {
    minute(GEO_ARN, 2, 500, 50, 1);
    BedrockSource s = source(List.of(GEO_ARN));
    Recorder ctx = new Recorder();
    Batch b = poll(s, NOW, ctx);
    assertEquals(500, sum(b, GEO_ARN, 0));
    assertEquals(1, ctx.errors("profile_unresolved"));
    assertTrue(ctx.calls.contains("GetInferenceProfile/not_found"), ctx.calls.toString());

    // a change of state (not found → throttled) is reported again
    control.fail(10, 429, "ThrottlingException");
    Recorder r2 = new Recorder();
    poll(s, NOW.plusSeconds(15 * 60), r2);
    assertEquals(1, r2.errors("profile_unresolved"));
    assertTrue(r2.calls.contains("GetInferenceProfile/rate_limited"), r2.calls.toString());
  }

  @Test
  void aResolvedProfileIsCachedForTheDiscoveryInterval() throws Exception {
    geoProfile();
    minute(GEO_ARN, 2, 500, 50, 1);
    BedrockSource s = source(List.of(GEO_ARN));
    poll(s, NOW, new Recorder());
    minute(GEO_ARN, 0, 100, 10, 1);
    Batch b2 = poll(s, NOW.plusSeconds(60), new Recorder());
    assertEquals(100, sum(b2, "us." + SONNET, 0));
    assertEquals(1, control.calls.get());
    // refreshed once the discovery interval (1h) is over
    cw.put(GEO_ARN, "InputTokenCount", M0.plusSeconds(3600), 5);
    poll(s, NOW.plusSeconds(3600 + 60), new Recorder());
    assertEquals(2, control.calls.get());
  }

  @Test
  void aRestartFromTheCheckpointCountsNothingTwice() throws Exception {
    geoProfile();
    minute(GEO_ARN, 3, 1000, 100, 2);
    BedrockSource a = source(List.of(GEO_ARN));
    Batch b1 = poll(a, NOW, new Recorder());
    assertEquals(1000, sum(b1, "us." + SONNET, 0));
    // the checkpoint is keyed by the raw ModelId, as before resolution existed
    assertTrue(b1.checkpointJson().contains("\"" + GEO_ARN + "\""), b1.checkpointJson());
    assertFalse(b1.checkpointJson().contains(SONNET), b1.checkpointJson());

    BedrockSource b = source(List.of(GEO_ARN));
    b.restore(b1.checkpointJson());
    cw.put(GEO_ARN, "InputTokenCount", M0.minusSeconds(180), 1200); // revised up
    Batch b2 = poll(b, NOW.plusSeconds(60), new Recorder());
    assertEquals(200, sum(b2, "us." + SONNET, 0));
    assertEquals(200, b2.usage().stream().mapToLong(u -> u.tokens().input()).sum());
    assertEquals(0, sum(b2, "us." + SONNET, 4));
  }

  @Test
  void lookupsAreBoundedPerPollAndTheRestFollowNextPoll() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = arn(String.format("p%011d", i));
      ids.add(id);
      control.profile(id, id, "p" + i, foundationModel("us-east-1", SONNET));
      minute(id, 2, 10, 1, 1);
    }
    BedrockSource s = source(ids, 3);
    Batch b1 = poll(s, NOW, new Recorder());
    assertEquals(3, control.calls.get());
    assertEquals(30, sum(b1, SONNET, 0));
    assertEquals(20, b1.usage().stream().filter(u -> u.model().startsWith("arn:")).count() * 10);

    for (String id : ids) minute(id, 0, 10, 1, 1);
    Batch b2 = poll(s, NOW.plusSeconds(60), new Recorder());
    assertEquals(5, control.calls.get());
    assertEquals(50, sum(b2, SONNET, 0));
    assertEquals(5, Set.copyOf(control.asked).size());
  }

  @Test
  void resolutionOffMakesNoControlPlaneCall() throws Exception {
    minute(GEO_ARN, 2, 500, 50, 1);
    BedrockSource s =
        new BedrockSource(
            settings(List.of(GEO_ARN)),
            AwsClients.cloudWatch("us-east-1", cw.endpoint(), BedrockSourceTest.creds()),
            InferenceProfiles.off("us-east-1"));
    sources.add(s);
    assertEquals(500, sum(poll(s, NOW, new Recorder()), GEO_ARN, 0));
    assertEquals(0, control.calls.get());
  }

  @Test
  void mixedModelsArePricedAsTheFirstAndANonFoundationModelStaysRaw() throws Exception {
    String mixed = arn("m1b2c3d4e5f6");
    String custom = arn("d1b2c3d4e5f6");
    control.profile(
        mixed,
        mixed,
        "m1b2c3d4e5f6",
        foundationModel("eu-west-1", SONNET),
        foundationModel("eu-west-3", "anthropic.claude-3-haiku-20240307-v1:0"));
    control.profile(
        custom, custom, "d1b2c3d4e5f6", "arn:aws:bedrock:us-east-1:" + ACCOUNT + ":custom-model/x");
    minute(mixed, 2, 10, 1, 1);
    minute(custom, 2, 20, 2, 1);
    Recorder ctx = new Recorder();
    Batch b = poll(source(List.of(mixed, custom)), NOW, ctx);
    assertEquals(10, sum(b, "eu." + SONNET, 0));
    assertEquals(20, sum(b, custom, 0));
    assertEquals(1, ctx.errors("profile_unresolved"));
    assertTrue(ctx.partialErrors.get(0).contains("no foundation model"), ctx.partialErrors.get(0));
  }

  @Test
  void throttlingStopsThisPollsLookupsAndTheRestFollow() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = arn(String.format("t%011d", i));
      ids.add(id);
      control.profile(id, id, "t" + i, foundationModel("us-east-1", SONNET));
      minute(id, 2, 10, 1, 1);
    }
    control.fail(3, 429, "ThrottlingException"); // the SDK's three attempts of the first lookup
    Recorder ctx = new Recorder();
    Batch b1 = poll(source(ids), NOW, ctx);
    assertEquals(30, b1.usage().stream().mapToLong(u -> u.tokens().input()).sum());
    assertEquals(0, sum(b1, SONNET, 0));
    assertEquals(List.of(ids.get(0)), List.copyOf(new java.util.LinkedHashSet<>(control.asked)));
    assertEquals(1, ctx.errors("profile_unresolved"));
  }

  @Test
  void theFakeAnswersAnyOtherRequestWith500AndRecordsIt() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var post =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(control.endpoint() + "/inference-profiles/x"))
            .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
            .build();
    var other =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(control.endpoint() + "/foundation-models"))
            .build();
    var unsigned =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(control.endpoint() + "/inference-profiles/x"))
            .build();
    for (var r : List.of(post, other, unsigned)) {
      assertEquals(
          500, http.send(r, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
    }
    assertEquals(3, control.protocolErrors.size(), control.protocolErrors.toString());
    assertEquals(0, control.calls.get());
    control.protocolErrors.clear();
  }

  @Test
  void theScopePrefixFollowsTheGeographyOfTheRegions() {
    String m = SONNET;
    assertEquals(m, InferenceProfiles.scoped(Set.of("eu-west-1"), m));
    assertEquals("us." + m, InferenceProfiles.scoped(Set.of("us-east-1", "us-west-2"), m));
    assertEquals("eu." + m, InferenceProfiles.scoped(Set.of("eu-west-1", "eu-central-1"), m));
    assertEquals(
        "us-gov." + m, InferenceProfiles.scoped(Set.of("us-gov-west-1", "us-gov-east-1"), m));
    assertEquals(
        "jp." + m, InferenceProfiles.scoped(Set.of("ap-northeast-1", "ap-northeast-3"), m));
    assertEquals(
        "au." + m, InferenceProfiles.scoped(Set.of("ap-southeast-2", "ap-southeast-4"), m));
    assertEquals("ca." + m, InferenceProfiles.scoped(Set.of("ca-central-1", "ca-west-1"), m));
    assertEquals("apac." + m, InferenceProfiles.scoped(Set.of("ap-northeast-1", "ap-south-1"), m));
    assertEquals(
        "apac." + m, InferenceProfiles.scoped(Set.of("ap-southeast-1", "ap-northeast-2"), m));
    assertEquals("global." + m, InferenceProfiles.scoped(Set.of("us-east-1", "eu-west-1"), m));
    assertEquals("global." + m, InferenceProfiles.scoped(Set.of("us-east-1", "us-gov-west-1"), m));
    assertEquals("global." + m, InferenceProfiles.scoped(Set.of("sa-east-1", "us-east-1"), m));
  }
}
