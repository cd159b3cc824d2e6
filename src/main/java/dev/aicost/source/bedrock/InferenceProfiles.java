package dev.aicost.source.bedrock;

import dev.aicost.collect.SourceContext;
import dev.aicost.source.aws.AwsFailures;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.bedrock.model.GetInferenceProfileResponse;
import software.amazon.awssdk.services.bedrock.model.InferenceProfileModel;

/**
 * Application inference profiles (the way AWS tags on-demand Bedrock usage by team) resolved to the
 * model they route to, with Bedrock's control-plane {@code GetInferenceProfile}, so their usage is
 * priced. The model string carries the profile's scope as a system profile's id would: one region →
 * the bare model id (in-region price), several regions of one geography → {@code us.} / {@code eu.}
 * / ..., regions of several geographies → {@code global.}.
 *
 * <p>Called on the source's own poll, never per scrape; at most {@link #MAX_LOOKUPS_PER_POLL} calls
 * a poll (the rest wait for the next one); a resolved profile is kept for as long as it is read (a
 * profile's model does not change); a failed lookup is tried again after {@link
 * #RETRY_AFTER_SECONDS}. Until a profile resolves, its usage is counted under the raw id (unpriced,
 * visible), never held back.
 */
public final class InferenceProfiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InferenceProfiles.class);
  static final String OPERATION = "GetInferenceProfile";
  static final String IAM_ACTION = "bedrock:GetInferenceProfile";
  static final String REASON = "profile_unresolved";
  static final int MAX_LOOKUPS_PER_POLL = 20;
  static final long RETRY_AFTER_SECONDS = 15 * 60;
  private static final String FOUNDATION_MODEL = ":foundation-model/";

  /** Resolves nothing: usage of application profiles stays under the raw id. */
  public static final InferenceProfiles DISABLED = new InferenceProfiles(null, "");

  private final BedrockClient client;
  private final String region;
  private final Map<String, String> resolved = new HashMap<>();
  private final Map<String, Long> failedAt = new HashMap<>();

  /**
   * @param client Bedrock control-plane client for {@code region}; null resolves nothing
   */
  public InferenceProfiles(BedrockClient client, String region) {
    this.client = client;
    this.region = region;
  }

  /**
   * The model each of {@code ids} routes to, for those resolved by now; looks up (within the
   * per-poll bound) the ones not yet resolved whose last failure is old enough. Forgets ids not
   * asked for, so the cache is bounded by the ModelIds read.
   */
  synchronized Map<String, String> resolve(Collection<String> ids, long nowS, SourceContext ctx) {
    if (client == null || ids.isEmpty()) return Map.of();
    Set<String> wanted = new LinkedHashSet<>(ids);
    resolved.keySet().retainAll(wanted);
    failedAt.keySet().retainAll(wanted);
    int lookups = 0;
    for (String id : wanted) {
      if (resolved.containsKey(id)) continue;
      Long failed = failedAt.get(id);
      if (failed != null && nowS - failed < RETRY_AFTER_SECONDS) continue;
      if (lookups++ == MAX_LOOKUPS_PER_POLL) break;
      lookUp(id, nowS, ctx);
    }
    Map<String, String> out = new HashMap<>();
    for (String id : wanted) {
      String m = resolved.get(id);
      if (m != null) out.put(id, m);
    }
    return out;
  }

  private void lookUp(String id, long nowS, SourceContext ctx) {
    GetInferenceProfileResponse r;
    try {
      r = client.getInferenceProfile(b -> b.inferenceProfileIdentifier(id));
    } catch (SdkException e) {
      var f = AwsFailures.of(e, IAM_ACTION, region);
      ctx.upstreamCall(OPERATION, f.reason());
      fail(id, nowS, ctx, f.getMessage());
      return;
    }
    ctx.upstreamCall(OPERATION, "ok");
    String model = modelOf(r.models());
    if (model == null) {
      fail(id, nowS, ctx, "the answer names no foundation model");
      return;
    }
    failedAt.remove(id);
    resolved.put(id, model);
    log.info(
        "event=inference_profile_resolved region={} profile={} model={}",
        region,
        shortId(id),
        model);
  }

  private void fail(String id, long nowS, SourceContext ctx, String why) {
    failedAt.put(id, nowS);
    ctx.partialError(
        REASON,
        "application inference profile "
            + shortId(id)
            + " in "
            + region
            + " not resolved, its usage stays unpriced under its id; next try in "
            + RETRY_AFTER_SECONDS / 60
            + " min: "
            + why);
  }

  /**
   * The model id with the profile's scope as prefix, or null when no entry names a foundation
   * model. Entries naming different models (not seen in practice) take the first and log it.
   */
  static String modelOf(List<InferenceProfileModel> models) {
    String model = null;
    Set<String> regions = new LinkedHashSet<>();
    for (InferenceProfileModel m : models) {
      String arn = m.modelArn();
      if (arn == null) continue;
      int at = arn.indexOf(FOUNDATION_MODEL);
      String[] parts = arn.split(":", 5);
      if (at < 0 || parts.length < 5) continue;
      String id = arn.substring(at + FOUNDATION_MODEL.length());
      if (id.isEmpty()) continue;
      if (model == null) model = id;
      else if (!model.equals(id))
        log.warn(
            "event=inference_profile_mixed_models first={} other={} priced_as=first", model, id);
      if (!parts[3].isEmpty()) regions.add(parts[3]);
    }
    if (model == null) return null;
    if (regions.size() <= 1) return model;
    return geographyOf(regions) + "." + model;
  }

  /**
   * The system-profile prefix of the narrowest geography holding all of {@code regions}: {@code jp}
   * (Tokyo, Osaka), {@code au} (Sydney, Melbourne), {@code apac}, {@code us-gov}, {@code us},
   * {@code eu}, {@code ca}; {@code global} when they span geographies.
   */
  static String geographyOf(Collection<String> regions) {
    if (all(regions, r -> r.equals("ap-northeast-1") || r.equals("ap-northeast-3"))) return "jp";
    if (all(regions, r -> r.equals("ap-southeast-2") || r.equals("ap-southeast-4"))) return "au";
    if (all(regions, r -> r.startsWith("ap-"))) return "apac";
    if (all(regions, r -> r.startsWith("us-gov-"))) return "us-gov";
    if (all(regions, r -> r.startsWith("us-") && !r.startsWith("us-gov-"))) return "us";
    if (all(regions, r -> r.startsWith("eu-"))) return "eu";
    if (all(regions, r -> r.startsWith("ca-"))) return "ca";
    return "global";
  }

  private static boolean all(Collection<String> regions, java.util.function.Predicate<String> p) {
    return regions.stream().map(r -> r.toLowerCase(Locale.ROOT)).allMatch(p);
  }

  /** The profile's id without account and region (an ARN names the account). */
  static String shortId(String modelId) {
    return modelId.substring(modelId.lastIndexOf('/') + 1);
  }

  @Override
  public void close() {
    if (client != null) client.close();
  }

  /** For tests: how many profiles are resolved now. */
  synchronized List<String> resolvedIds() {
    return new ArrayList<>(resolved.keySet());
  }
}
