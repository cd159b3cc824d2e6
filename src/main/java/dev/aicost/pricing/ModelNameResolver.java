package dev.aicost.pricing;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a model name as a source reports it to a catalog key: the exact id, then a user alias, then
 * the normalisations of {@link ModelNames} (each also checked against the aliases). Results, misses
 * included, are cached in a bounded LRU map because the same few names come by on every poll.
 */
final class ModelNameResolver {
  static final int DEFAULT_CACHE_SIZE = 4096;
  private static final Logger log = LoggerFactory.getLogger(ModelNameResolver.class);

  private final BiPredicate<String, String> inCatalog;
  private final Map<String, String> aliases;
  private final Map<List<String>, Optional<String>> cache;

  /**
   * @param inCatalog (provider, lowercase model) -> true when the catalog has that key
   * @param aliases user aliases {@code from -> to}; {@code from} is matched case-insensitively
   */
  ModelNameResolver(
      BiPredicate<String, String> inCatalog, Map<String, String> aliases, int cacheSize) {
    this.inCatalog = inCatalog;
    Map<String, String> a = new HashMap<>();
    aliases.forEach((from, to) -> a.put(from.trim().toLowerCase(Locale.ROOT), to.trim()));
    this.aliases = Map.copyOf(a);
    this.cache =
        Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
              @Override
              protected boolean removeEldestEntry(
                  Map.Entry<List<String>, Optional<String>> eldest) {
                return size() > cacheSize;
              }
            });
  }

  /**
   * The catalog key for {@code model} under {@code provider} (lowercase), or empty when none
   * matches.
   */
  Optional<String> resolve(String provider, String model) {
    String p = provider.trim().toLowerCase(Locale.ROOT);
    List<String> cacheKey = List.of(p, model);
    Optional<String> cached = cache.get(cacheKey);
    if (cached != null) return cached;
    Optional<String> resolved = lookUp(p, model);
    cache.put(cacheKey, resolved);
    return resolved;
  }

  private Optional<String> lookUp(String p, String model) {
    if (model.isBlank()) return Optional.empty();
    if (inCatalog.test(p, model)) return Optional.of(model);
    String viaAlias = aliases.get(model.trim().toLowerCase(Locale.ROOT));
    if (viaAlias != null) return aliasTarget(p, model, viaAlias);
    for (String candidate : ModelNames.candidates(p, model)) {
      if (inCatalog.test(p, candidate)) return found(p, model, candidate, "normalised");
      String alias = aliases.get(candidate);
      if (alias != null) return aliasTarget(p, model, alias);
    }
    log.warn("event=model_unpriced provider={} model={} reason=no_catalog_entry", p, model);
    return Optional.empty();
  }

  // An alias target is looked up as given and normalised, but never through another alias: no
  // loops.
  private Optional<String> aliasTarget(String p, String model, String target) {
    if (inCatalog.test(p, target)) return found(p, model, target, "alias");
    List<String> candidates = ModelNames.candidates(p, target);
    for (String candidate : candidates) {
      if (inCatalog.test(p, candidate)) return found(p, model, candidate, "alias");
    }
    log.warn(
        "event=model_unpriced provider={} model={} alias={} reason=alias_target_not_in_catalog",
        p,
        model,
        target);
    return Optional.empty();
  }

  private static Optional<String> found(String p, String model, String key, String via) {
    log.info(
        "event=model_resolved provider={} model={} catalog_model={} via={}", p, model, key, via);
    return Optional.of(key);
  }
}
