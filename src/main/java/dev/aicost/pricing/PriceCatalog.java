package dev.aicost.pricing;

import dev.aicost.config.BedrockScopes;
import dev.aicost.config.PricingConfig;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token prices by (provider, model) and effective date, immutable once built.
 *
 * <p>Layers, lowest precedence first: the built-in catalog (unless {@code pricing.catalog: none}),
 * each of {@code pricing.files} in order, then {@code pricing.models}. A layer that prices a model
 * from day D on takes that model over from D: earlier layers' prices dated D or later are dropped,
 * their older prices still apply to usage before D. An undated price FILE (LiteLLM's format has no
 * dates) says what a model costs now, not what it cost: it takes over from the instant it was
 * loaded, so older usage keeps the dated prices below it (a model nothing below prices is priced by
 * the file for all time). Undated inline prices ({@code pricing.models} without {@code
 * effective_from}) are the user's own price for all time and replace the model's whole history.
 *
 * <p>A row may be for one region and for one Bedrock inference-profile scope (Bedrock prices differ
 * by region, and geographic cross-region profiles cost more than {@code global.} ones for the
 * newest Claude models). A lookup takes the profile from the model id's prefix ({@code us.}, {@code
 * global.}, see {@link BedrockProfiles}) and the region from {@link PriceScope#region()}, and uses
 * the first row in force in this order: (region, profile), (region, {@code geo} for a geographic
 * profile), (region, any profile), then the same three for any region. So a region's own price wins
 * over the profile premium, and a model without scoped rows keeps its one price. A higher layer's
 * row also takes over the narrower scopes of its model that only lower layers price: an inline
 * any-scope price for a Bedrock model is its price in {@code us.} profiles too.
 *
 * <p>Usage is priced at the price whose effective_from is the latest UTC day on or before the usage
 * instant. Usage dated before a model's first price is unpriced (empty), never priced with a later
 * price: a wrong number would look as trustworthy as a right one.
 */
public final class PriceCatalog {
  private static final Logger log = LoggerFactory.getLogger(PriceCatalog.class);

  /**
   * Marks, in a narrower scope's timeline, the day from which a higher layer's broader row prices
   * that scope: the lookup goes on to the broader timelines.
   */
  private static final TokenPrice DEFERRED =
      new TokenPrice(null, null, null, null, "deferred", "", "", TokenPrice.ALWAYS);

  private final Map<Key, NavigableMap<Instant, TokenPrice>> prices;
  private final ModelNameResolver resolver;
  private final List<String> problems;

  /**
   * @param layers lowest precedence first
   * @param aliases {@code pricing.aliases}
   */
  public PriceCatalog(List<List<TokenPrice>> layers, Map<String, String> aliases) {
    this(layers.stream().map(Layer::always).toList(), aliases, List.of());
  }

  /**
   * One layer of prices.
   *
   * @param undatedFrom when the layer's undated prices take over a model that lower layers already
   *     price: {@link Instant#MIN} (all time) for inline prices, the load instant for a price file
   */
  public record Layer(List<TokenPrice> prices, Instant undatedFrom) {
    public Layer {
      prices = List.copyOf(prices);
    }

    static Layer always(List<TokenPrice> prices) {
      return new Layer(prices, Instant.MIN);
    }
  }

  private PriceCatalog(List<Layer> layers, Map<String, String> aliases, List<String> problems) {
    Map<Key, NavigableMap<Instant, TokenPrice>> merged = new HashMap<>();
    for (Layer layer : layers) mergeLayer(merged, layer);
    Map<Key, NavigableMap<Instant, TokenPrice>> frozen = new HashMap<>();
    merged.forEach((k, v) -> frozen.put(k, Collections.unmodifiableNavigableMap(new TreeMap<>(v))));
    this.prices = Map.copyOf(frozen);
    Set<List<String>> names = new HashSet<>();
    // a scoped row alone (no any-scope row) still makes its model resolvable
    this.prices.keySet().forEach(k -> names.add(List.of(k.provider(), k.model())));
    this.resolver =
        new ModelNameResolver(
            (p, m) -> names.contains(List.of(p, m)), aliases, ModelNameResolver.DEFAULT_CACHE_SIZE);
    this.problems = List.copyOf(problems);
  }

  /**
   * Builds the catalog from config, reading {@code pricing.files} through {@code files}. A file
   * that cannot be read is left out, logged and listed in {@link #problems()}: the other layers
   * still price usage.
   */
  public static PriceCatalog load(PricingConfig cfg, LiteLlmPriceFile files) {
    return load(cfg, files, Instant.now());
  }

  /**
   * As {@link #load(PricingConfig, LiteLlmPriceFile)}, with the files' undated prices taking over
   * at {@code loadedAt}.
   */
  public static PriceCatalog load(PricingConfig cfg, LiteLlmPriceFile files, Instant loadedAt) {
    List<Layer> layers = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (!"none".equals(cfg.catalog())) layers.add(Layer.always(BuiltinPrices.load()));
    for (String location : cfg.files()) {
      try {
        layers.add(new Layer(files.load(location).prices(), loadedAt));
      } catch (PriceFileException e) {
        log.warn(
            "event=price_file_failed file={} error=\"{}\"",
            dev.aicost.config.Secrets.redact(location),
            e.getMessage());
        problems.add(e.getMessage());
      }
    }
    layers.add(Layer.always(InlinePrices.from(cfg.models())));
    PriceCatalog catalog = new PriceCatalog(layers, cfg.aliases(), problems);
    log.info(
        "event=price_catalog_built models={} layers={} failed_files={}",
        catalog.prices.size(),
        layers.size(),
        problems.size());
    return catalog;
  }

  /** The price in force at {@code at} for the model a source reported, or empty when unpriced. */
  public Optional<TokenPrice> priceFor(String provider, String model, Instant at) {
    return priceFor(provider, model, at, PriceScope.STANDARD);
  }

  /**
   * The price in force at {@code at} for the model a source reported, in the scope's region when
   * the catalog has a row for it, or empty when unpriced. Choosing the tier's rate is {@link
   * TokenPrice#forType(dev.aicost.model.TokenType, PriceScope)}'s job.
   */
  public Optional<TokenPrice> priceFor(
      String provider, String model, Instant at, PriceScope scope) {
    for (NavigableMap<Instant, TokenPrice> t : timelines(provider, model, scope)) {
      Map.Entry<Instant, TokenPrice> e = t.floorEntry(at);
      if (e != null && e.getValue() != DEFERRED) return Optional.of(e.getValue());
    }
    return Optional.empty();
  }

  /**
   * The instants in (start, end) at which the model's price changes (its effective_from days, as
   * UTC midnights, and the instant an undated file took over), in order; empty for an unpriced
   * model or an interval within one price.
   */
  public List<Instant> changesBetween(String provider, String model, Instant start, Instant end) {
    return changesBetween(provider, model, start, end, PriceScope.STANDARD);
  }

  /** As {@link #changesBetween(String, String, Instant, Instant)} for the scope's region. */
  public List<Instant> changesBetween(
      String provider, String model, Instant start, Instant end, PriceScope scope) {
    if (!start.isBefore(end)) return List.of();
    // a change in any scope that may price the usage (a superset of the real changes: splitting
    // an interval where the price stays the same is harmless)
    TreeSet<Instant> changes = new TreeSet<>();
    for (NavigableMap<Instant, TokenPrice> t : timelines(provider, model, scope))
      changes.addAll(t.subMap(start, false, end, false).keySet());
    return List.copyOf(changes);
  }

  /** The timelines that may price the usage, most specific scope first (see class comment). */
  private List<NavigableMap<Instant, TokenPrice>> timelines(
      String provider, String model, PriceScope scope) {
    if (provider == null || model == null) return List.of();
    String p = provider.trim().toLowerCase(Locale.ROOT);
    Optional<String> key = resolver.resolve(provider, model);
    if (key.isEmpty()) return List.of();
    List<String> profiles = BedrockProfiles.lookupOrder(BedrockProfiles.of(model));
    List<String> regions = scope.region().isEmpty() ? List.of("") : List.of(scope.region(), "");
    List<NavigableMap<Instant, TokenPrice>> out = new ArrayList<>(2);
    for (String region : regions)
      for (String profile : profiles) {
        NavigableMap<Instant, TokenPrice> t = prices.get(new Key(p, key.get(), region, profile));
        if (t != null) out.add(t);
      }
    return out;
  }

  /** Every model's price in force at {@code now}, ordered by provider and model. */
  public List<TokenPrice> currentPrices(Instant now) {
    return prices.values().stream()
        .map(timeline -> timeline.floorEntry(now))
        .filter(Objects::nonNull)
        .map(Map.Entry::getValue)
        .filter(price -> price != DEFERRED)
        .sorted(
            Comparator.comparing(TokenPrice::provider)
                .thenComparing(TokenPrice::model)
                .thenComparing(TokenPrice::region)
                .thenComparing(TokenPrice::profile))
        .toList();
  }

  /** User-facing messages of price files that could not be loaded. */
  public List<String> problems() {
    return problems;
  }

  /** Number of distinct (provider, model, region, profile) keys. */
  public int size() {
    return prices.size();
  }

  /**
   * Merges one layer over the ones below. A row takes its own scope over from its first day; it
   * also takes over every narrower scope of the same model that only lower layers price (a user's
   * any-region price is the price in {@code us.} profiles too): there a {@link #DEFERRED} marker
   * from that day sends the lookup on to the broader row. Rows of one layer never defer each other:
   * a layer's own narrower row stays in force.
   */
  private static void mergeLayer(Map<Key, NavigableMap<Instant, TokenPrice>> merged, Layer layer) {
    Map<Key, List<TokenPrice>> byKey = new LinkedHashMap<>();
    for (TokenPrice p : layer.prices())
      byKey.computeIfAbsent(Key.of(p), k -> new ArrayList<>()).add(normalised(p));
    Map<Key, TreeMap<Instant, TokenPrice>> mine = new LinkedHashMap<>();
    byKey.forEach(
        (key, ps) -> {
          boolean pricedBelow =
              merged.entrySet().stream()
                  .anyMatch(e -> key.covers(e.getKey()) && !e.getValue().isEmpty());
          TreeMap<Instant, TokenPrice> timeline = new TreeMap<>();
          for (TokenPrice p : ps) timeline.put(takesEffect(p, layer, pricedBelow), p);
          mine.put(key, timeline);
        });
    // against the lower layers only, before this layer's rows go in
    List<Map.Entry<Key, NavigableMap<Instant, TokenPrice>>> below = List.copyOf(merged.entrySet());
    mine.forEach(
        (key, timeline) -> {
          for (Map.Entry<Key, NavigableMap<Instant, TokenPrice>> e : below) {
            if (e.getKey().equals(key) || !key.covers(e.getKey())) continue;
            e.getValue().tailMap(timeline.firstKey(), true).clear();
            e.getValue().put(timeline.firstKey(), DEFERRED);
          }
        });
    mine.forEach(
        (key, timeline) -> {
          NavigableMap<Instant, TokenPrice> t = merged.computeIfAbsent(key, k -> new TreeMap<>());
          t.tailMap(timeline.firstKey(), true).clear();
          t.putAll(timeline);
        });
  }

  private static Instant takesEffect(TokenPrice p, Layer layer, boolean pricedBelow) {
    if (!p.effectiveFrom().equals(TokenPrice.ALWAYS))
      return p.effectiveFrom().atStartOfDay(ZoneOffset.UTC).toInstant();
    return pricedBelow ? layer.undatedFrom() : Instant.MIN;
  }

  private static TokenPrice normalised(TokenPrice p) {
    Key k = Key.of(p);
    if (k.provider().equals(p.provider())
        && k.model().equals(p.model())
        && k.region().equals(p.region())
        && k.profile().equals(p.profile())) return p;
    return new TokenPrice(
        p.input(),
        p.cacheRead(),
        p.cacheWrite(),
        p.output(),
        p.source(),
        k.provider(),
        k.model(),
        p.effectiveFrom(),
        p.cacheWrite1h(),
        p.tiers(),
        k.region(),
        k.profile(),
        p.provenance());
  }

  private record Key(String provider, String model, String region, String profile) {
    /** True when this row's scope includes {@code other}'s (same model, broader or equal). */
    boolean covers(Key other) {
      if (!provider.equals(other.provider) || !model.equals(other.model)) return false;
      boolean region = this.region.isEmpty() || this.region.equals(other.region);
      boolean profile =
          this.profile.isEmpty()
              || this.profile.equals(other.profile)
              || (BedrockScopes.GEOGRAPHIC.equals(this.profile)
                  && BedrockScopes.GEOGRAPHIES.contains(other.profile));
      return region && profile;
    }

    static Key of(TokenPrice p) {
      return new Key(
          p.provider().trim().toLowerCase(Locale.ROOT),
          p.model().trim().toLowerCase(Locale.ROOT),
          p.region().trim().toLowerCase(Locale.ROOT),
          p.profile().trim().toLowerCase(Locale.ROOT));
    }
  }
}
