package dev.aicost.source.bedrock;

import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.source.aws.AwsFailures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.bedrock.model.GetInferenceProfileRequest;
import software.amazon.awssdk.services.bedrock.model.GetInferenceProfileResponse;
import software.amazon.awssdk.services.bedrock.model.InferenceProfileModel;

/**
 * Application inference profiles resolved to the model their usage is priced as, with the Bedrock
 * control plane's GetInferenceProfile: cached for {@code discovery_interval} once resolved, a
 * failure retried after {@link #RETRY_AFTER_FAILURE}, at most {@code maxLookups} calls per poll
 * (the rest wait for the next poll), never per scrape.
 *
 * <p>The model string carries the price scope: one region is the bare model id (in-region), several
 * regions of one geography are {@code GEO.MODEL_ID}, regions of several geographies are {@code
 * global.MODEL_ID}. A profile not resolved (not looked up yet, denied, not found, throttled,
 * unreachable) is reported as its raw ModelId: its usage is still counted, unpriced.
 */
public final class InferenceProfiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InferenceProfiles.class);

  static final String IAM_ACTION = "bedrock:GetInferenceProfile";
  static final String OPERATION = "GetInferenceProfile";
  static final String REASON = "profile_unresolved";
  static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(15);
  static final int MAX_LOOKUPS_PER_POLL = 20;

  /** One lookup's time, retries included: a poll never waits long for the control plane. */
  static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

  private static final String FOUNDATION_MODEL = ":foundation-model/";

  /**
   * What is known of one profile. {@code model} is the last resolved model (kept while a later
   * refresh fails), {@code state} what was last logged: {@code resolved MODEL} or the failure.
   */
  private record Entry(String model, String state, long nextLookup) {}

  private final BedrockClient client;
  private final String region;
  private final long ttlSeconds;
  private final int maxLookups;
  private final Map<String, Entry> cache = new HashMap<>();
  private long pausedUntil;

  /**
   * @param client the control plane client of the source's region; null resolves nothing
   * @param ttl how long a resolved profile is reused ({@code discovery_interval})
   * @param maxLookups GetInferenceProfile calls per poll at most
   */
  public InferenceProfiles(BedrockClient client, String region, Duration ttl, int maxLookups) {
    this.client = client;
    this.region = region;
    this.ttlSeconds = ttl.getSeconds();
    this.maxLookups = maxLookups;
  }

  /** Resolves nothing ({@code resolve_profiles: false}): every profile keeps its raw id. */
  public static InferenceProfiles off(String region) {
    return new InferenceProfiles(null, region, Duration.ofHours(1), 0);
  }

  /**
   * Looks up the application profiles among {@code modelIds} that are due (never looked up,
   * expired, or failed {@link #RETRY_AFTER_FAILURE} ago), in order, at most {@code maxLookups}. A
   * failure never fails the poll: it is logged and counted ({@code profile_unresolved}) once per
   * change of the profile's state. Access denied, throttling or an unreachable endpoint stop this
   * poll's lookups (the others would fail alike); access denied pauses them for {@link
   * #RETRY_AFTER_FAILURE}.
   */
  synchronized void refresh(Collection<String> modelIds, long nowS, SourceContext ctx) {
    if (client == null || nowS < pausedUntil) return;
    int calls = 0;
    for (String id : new TreeSet<>(modelIds)) {
      if (!ModelIds.isApplicationProfile(id)) continue;
      Entry e = cache.get(id);
      if (e != null && nowS < e.nextLookup()) continue;
      if (calls++ >= maxLookups) return; // the rest next poll
      String previous = e != null ? e.model() : null;
      GetInferenceProfileResponse r;
      try {
        r =
            client.getInferenceProfile(
                GetInferenceProfileRequest.builder()
                    .inferenceProfileIdentifier(id)
                    .overrideConfiguration(o -> o.apiCallTimeout(LOOKUP_TIMEOUT))
                    .build());
      } catch (SdkException ex) {
        SourceException f = AwsFailures.of(ex, IAM_ACTION, region);
        boolean notFound = notFound(ex);
        String outcome = notFound ? "not_found" : f.reason();
        ctx.upstreamCall(OPERATION, outcome);
        String why =
            notFound
                ? "GetInferenceProfile found no profile " + id + " in " + region
                : "profile " + id + ": " + f.getMessage();
        fail(id, previous, outcome, why, nowS, ctx);
        if (notFound) continue;
        if ("auth".equals(f.reason())) pausedUntil = nowS + RETRY_AFTER_FAILURE.getSeconds();
        return;
      }
      ctx.upstreamCall(OPERATION, "success");
      List<String> named = new ArrayList<>();
      String model = modelOf(r.models(), named);
      if (model == null) {
        fail(
            id,
            previous,
            "no_foundation_model",
            "profile " + id + " in " + region + " names no foundation model ARN",
            nowS,
            ctx);
        continue;
      }
      String state = "resolved " + model;
      if (e == null || !state.equals(e.state())) {
        log.info(
            "event=inference_profile_resolved region={} profile={} model={}", region, id, model);
        if (named.size() > 1) {
          log.warn(
              "event=inference_profile_mixed_models region={} profile={} models={}"
                  + " effect=\"priced as the first\"",
              region,
              id,
              named);
        }
      }
      cache.put(id, new Entry(model, state, nowS + ttlSeconds));
    }
  }

  /** The model usage of this ModelId is priced as: resolved, else the ModelId itself. */
  synchronized String model(String modelId) {
    Entry e = cache.get(modelId);
    return e != null && e.model() != null ? e.model() : modelId;
  }

  private void fail(
      String id, String previous, String outcome, String why, long nowS, SourceContext ctx) {
    Entry e = cache.get(id);
    String state = "failed " + outcome;
    if (e == null || !state.equals(e.state())) {
      // once per change of state; ctx logs it and counts the health reason
      ctx.partialError(
          REASON,
          why
              + (previous != null
                  ? "; its usage stays priced as " + previous
                  : "; its usage is counted unpriced under the profile id")
              + ", retried in "
              + RETRY_AFTER_FAILURE.toMinutes()
              + " minutes");
    }
    cache.put(id, new Entry(previous, state, nowS + RETRY_AFTER_FAILURE.getSeconds()));
  }

  private static boolean notFound(SdkException ex) {
    return ex instanceof AwsServiceException s
        && (s.statusCode() == 404
            || (s.awsErrorDetails() != null
                && "ResourceNotFoundException".equals(s.awsErrorDetails().errorCode())));
  }

  /**
   * The model id of the profile's foundation model ARNs ({@code
   * arn:aws:bedrock:REGION::foundation-model/MODEL_ID}), prefixed with the price scope of their
   * regions; null when none is a foundation model ARN. {@code named} receives the distinct model
   * ids, the first one first.
   */
  private static String modelOf(List<InferenceProfileModel> models, List<String> named) {
    Set<String> regions = new TreeSet<>();
    for (InferenceProfileModel m : models) {
      String arn = m.modelArn();
      int at = arn != null ? arn.indexOf(FOUNDATION_MODEL) : -1;
      String[] parts = arn != null ? arn.split(":", 6) : new String[0];
      if (at < 0 || parts.length < 6 || parts[3].isEmpty()) continue;
      String model = arn.substring(at + FOUNDATION_MODEL.length());
      if (model.isEmpty()) continue;
      if (!named.contains(model)) named.add(model);
      regions.add(parts[3]);
    }
    return named.isEmpty() ? null : scoped(regions, named.get(0));
  }

  /**
   * The model string for a profile over {@code regions}: bare in one region, {@code GEO.} in one
   * geography, {@code global.} across several.
   */
  static String scoped(Set<String> regions, String model) {
    if (regions.size() <= 1) return model;
    Set<String> geos = new HashSet<>(); // null: a region without a geography
    for (String r : regions) geos.add(geography(r));
    if (geos.size() == 1 && !geos.contains(null)) return geos.iterator().next() + "." + model;
    // Japan and Australia are within APAC: a profile over Tokyo and Mumbai is an APAC one
    if (!geos.contains(null) && Set.of("jp", "au", "apac").containsAll(geos)) {
      return "apac." + model;
    }
    return "global." + model;
  }

  /** The inference profile geography of a region; null when it has none. */
  static String geography(String region) {
    if (region == null) return null;
    if (region.startsWith("us-gov-")) return "us-gov";
    if (region.startsWith("us-")) return "us";
    if (region.startsWith("eu-")) return "eu";
    if (region.startsWith("ca-")) return "ca";
    if (region.equals("ap-northeast-1") || region.equals("ap-northeast-3")) return "jp";
    if (region.equals("ap-southeast-2") || region.equals("ap-southeast-4")) return "au";
    if (region.startsWith("ap-")) return "apac";
    return null;
  }

  @Override
  public void close() {
    if (client != null) client.close();
  }
}
