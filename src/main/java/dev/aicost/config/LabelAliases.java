package dev.aicost.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Configuration keys renamed with the labels they name: {@code service} became {@code ai_service}
 * and {@code environment} became {@code app_env} (both clash with Prometheus target labels, which
 * would rename ours to {@code exported_*}). The old keys are still read, in attribution rules'
 * {@code match} and {@code set} and in budgets' {@code match}, and each use is reported once as a
 * deprecation.
 */
final class LabelAliases {
  private LabelAliases() {}

  static final Map<String, String> RENAMED =
      Map.of("service", "ai_service", "environment", "app_env");

  /**
   * Rewrites old keys in place in the YAML tree; adds one line per rewritten key to {@code
   * deprecations}.
   */
  static void apply(JsonNode root, List<String> deprecations) {
    if (root == null || !root.isObject()) return;
    JsonNode rules = root.path("attribution").path("rules");
    if (rules.isArray()) {
      for (int i = 0; i < rules.size(); i++) {
        rename(rules.get(i).path("match"), "attribution.rules[" + i + "].match", deprecations);
        rename(rules.get(i).path("set"), "attribution.rules[" + i + "].set", deprecations);
      }
    }
    JsonNode budgets = root.path("budgets");
    if (budgets.isArray()) {
      for (int i = 0; i < budgets.size(); i++)
        rename(budgets.get(i).path("match"), "budgets[" + i + "].match", deprecations);
    }
  }

  private static void rename(JsonNode node, String path, List<String> deprecations) {
    if (!(node instanceof ObjectNode map)) return;
    for (Map.Entry<String, String> r : RENAMED.entrySet()) {
      if (!map.has(r.getKey())) continue;
      if (map.has(r.getValue())) {
        deprecations.add(
            path
                + "."
                + r.getKey()
                + ": deprecated name of "
                + r.getValue()
                + ", which is also set: "
                + r.getKey()
                + " ignored");
        map.remove(r.getKey());
        continue;
      }
      // keep the key's position: rebuild the map in order with the new name
      ObjectNode copy = map.objectNode();
      map.properties()
          .forEach(
              e ->
                  copy.set(
                      e.getKey().equals(r.getKey()) ? r.getValue() : e.getKey(), e.getValue()));
      map.removeAll();
      map.setAll(copy);
      deprecations.add(
          path
              + "."
              + r.getKey()
              + ": deprecated, read as "
              + r.getValue()
              + " (the label was renamed; rename the key)");
    }
  }
}
