package dev.aicost.source.bedrock;

import java.util.regex.Pattern;

/** What a CloudWatch {@code ModelId} dimension value names. */
final class ModelIds {
  /** The id part of an application inference profile ARN: 12 lowercase letters and digits. */
  private static final Pattern PROFILE_ID = Pattern.compile("[a-z0-9]{12}");

  private ModelIds() {}

  /**
   * An application inference profile (how AWS tags on-demand usage by team): its ARN ({@code
   * arn:aws:bedrock:REGION:ACCOUNT:application-inference-profile/ID}) or its bare id. Foundation
   * model ids and system profiles always have a provider prefix with a dot ({@code anthropic.},
   * {@code us.anthropic.}), bare profile ids never do.
   */
  static boolean isApplicationProfile(String modelId) {
    if (modelId.startsWith("arn:")) return modelId.contains(":application-inference-profile/");
    return PROFILE_ID.matcher(modelId).matches();
  }
}
