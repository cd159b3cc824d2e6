package dev.aicost.pricing;

import dev.aicost.config.BedrockScopes;
import java.util.List;
import java.util.Locale;

/**
 * Bedrock's inference-profile scopes as far as prices depend on them. A system inference profile
 * prefixes the model id with where requests may run: {@code global.} (any commercial region) or a
 * geography ({@code us.}, {@code eu.}, {@code apac.}, {@code jp.}, {@code au.}, {@code ca.}, {@code
 * us-gov.}). For the newest Claude models AWS prices geographic profiles about 10 % above {@code
 * global.}; a bare model id is the in-region price.
 *
 * <p>A price row's {@code profile} is "" (any), {@code global}, {@code geo} (every geographic
 * profile) or one geography.
 */
final class BedrockProfiles {
  static final String GLOBAL = BedrockScopes.GLOBAL;

  private BedrockProfiles() {}

  /** The profile prefix of a model id as a source reports it, "" when it has none. */
  static String of(String model) {
    if (model == null) return "";
    String m = model.trim().toLowerCase(Locale.ROOT);
    m = m.substring(m.lastIndexOf('/') + 1);
    int dot = m.indexOf('.');
    if (dot <= 0 || dot == m.length() - 1) return "";
    String prefix = m.substring(0, dot);
    return GLOBAL.equals(prefix) || BedrockScopes.GEOGRAPHIES.contains(prefix) ? prefix : "";
  }

  /** The row profiles that may price usage under {@code profile}, most specific first. */
  static List<String> lookupOrder(String profile) {
    if (profile.isEmpty()) return List.of("");
    if (GLOBAL.equals(profile)) return List.of(GLOBAL, "");
    return List.of(profile, BedrockScopes.GEOGRAPHIC, "");
  }
}
