package dev.aicost.attribution;

import dev.aicost.config.Glob;
import dev.aicost.config.RuleConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Maps the source ids a record carries (provider, ai_service, deployment, model, project_id,
 * api_key_id, workspace_id, ...) to the tag set. Rules are tried in order; for each tag the first
 * matching rule that sets it wins, so a specific rule can set team while a broad rule below fills
 * cost_center. A record no rule gives a team gets {@code team="unattributed"}.
 *
 * <p>Match values are exact, or globs when they contain {@code *}. Results are memoised per id set:
 * the id sets are bounded (deployments x models x projects) and lookups are on every record.
 */
public final class AttributionRules {
  private static final int MEMO_LIMIT = 50_000;

  private final List<Rule> rules;
  private final Map<Map<String, String>, Attribution> memo = new ConcurrentHashMap<>();

  public AttributionRules(List<RuleConfig> configs) {
    List<Rule> list = new ArrayList<>();
    for (RuleConfig c : configs) list.add(Rule.of(c));
    this.rules = List.copyOf(list);
  }

  public Attribution resolve(Map<String, String> ids) {
    Attribution hit = memo.get(ids);
    if (hit != null) return hit;
    Attribution a = compute(ids);
    if (memo.size() < MEMO_LIMIT) memo.put(Map.copyOf(ids), a);
    return a;
  }

  private Attribution compute(Map<String, String> ids) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (Rule r : rules) {
      if (!r.matches(ids)) continue;
      r.set.forEach(tags::putIfAbsent);
    }
    String team = tags.getOrDefault("team", "");
    return new Attribution(
        team.isEmpty() ? Attribution.UNATTRIBUTED : team,
        tags.getOrDefault("project", ""),
        tags.getOrDefault("app_env", ""),
        tags.getOrDefault("cost_center", ""),
        tags.getOrDefault("feature", ""));
  }

  private record Rule(
      Map<String, Pattern> globs, Map<String, String> exact, Map<String, String> set) {
    static Rule of(RuleConfig c) {
      Map<String, Pattern> globs = new LinkedHashMap<>();
      Map<String, String> exact = new LinkedHashMap<>();
      c.match()
          .forEach(
              (k, v) -> {
                if (v.contains("*")) globs.put(k, glob(v));
                else exact.put(k, v);
              });
      return new Rule(globs, exact, c.set());
    }

    boolean matches(Map<String, String> ids) {
      for (Map.Entry<String, String> e : exact.entrySet()) {
        if (!e.getValue().equals(ids.get(e.getKey()))) return false;
      }
      for (Map.Entry<String, Pattern> e : globs.entrySet()) {
        String v = ids.get(e.getKey());
        if (v == null || !e.getValue().matcher(v).matches()) return false;
      }
      return true;
    }

    private static Pattern glob(String g) {
      return Glob.compile(g, false); // source ids are case-sensitive
    }
  }
}
