package dev.aicost.attribution;

import dev.aicost.metrics.Metrics;
import java.util.List;

/** The bounded tag set on every usage and spend series; empty string = unset. */
public record Attribution(
    String team, String project, String appEnv, String costCenter, String feature) {
  public static final String UNATTRIBUTED = "unattributed";

  /** Values in {@link Metrics#ATTRIBUTION} order. */
  public List<String> values() {
    return List.of(team, project, appEnv, costCenter, feature);
  }
}
