package dev.aicost.config;

import java.util.List;
import java.util.Set;

/**
 * The Bedrock inference-profile scopes a price may be given for (the {@code profile} of a price
 * row): {@link #GLOBAL}, {@link #GEOGRAPHIC} (every geographic cross-region profile) or one of the
 * {@link #GEOGRAPHIES} whose prefix a system inference profile's id carries ({@code
 * us.anthropic...}).
 */
public final class BedrockScopes {
  public static final String GLOBAL = "global";
  public static final String GEOGRAPHIC = "geo";
  public static final Set<String> GEOGRAPHIES =
      Set.of("us", "eu", "apac", "jp", "au", "ca", "us-gov");

  /** Every value a row's profile may take besides "" (any), in the order docs list them. */
  public static final List<String> ROW_SCOPES =
      List.of(GLOBAL, GEOGRAPHIC, "us", "eu", "apac", "jp", "au", "ca", "us-gov");

  private BedrockScopes() {}

  /** True for "" (any) and every {@link #ROW_SCOPES} value. */
  public static boolean isRowScope(String s) {
    return s.isEmpty() || ROW_SCOPES.contains(s);
  }
}
