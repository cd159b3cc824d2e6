package dev.aicost.pricing;

import dev.aicost.config.PricingConfig;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token prices by (provider, model) and effective date, immutable once built.
 *
 * <p>Layers, lowest precedence first: the built-in catalog (unless {@code pricing.catalog: none}),
 * each of {@code pricing.files} in order, then {@code pricing.models}. A layer that prices a model
 * from day D on takes that model over from D: earlier layers' prices dated D or later are dropped,
 * their older prices still apply to usage before D. Undated prices count as dated {@link
 * TokenPrice#ALWAYS}, so an undated override replaces the model's whole history.
 *
 * <p>Usage is priced at the price whose effective_from is the latest UTC day on or before the usage
 * instant. Usage dated before a model's first price is unpriced (empty), never priced with a later
 * price: a wrong number would look as trustworthy as a right one.
 */
public final class PriceCatalog {
  private static final Logger log = LoggerFactory.getLogger(PriceCatalog.class);

  private final Map<Key, NavigableMap<LocalDate, TokenPrice>> prices;
  private final ModelNameResolver resolver;
  private final List<String> problems;

  /**
   * @param layers lowest precedence first
   * @param aliases {@code pricing.aliases}
   */
  public PriceCatalog(List<List<TokenPrice>> layers, Map<String, String> aliases) {
    this(layers, aliases, List.of());
  }

  private PriceCatalog(
      List<List<TokenPrice>> layers, Map<String, String> aliases, List<String> problems) {
    Map<Key, NavigableMap<LocalDate, TokenPrice>> merged = new HashMap<>();
    for (List<TokenPrice> layer : layers) mergeLayer(merged, layer);
    Map<Key, NavigableMap<LocalDate, TokenPrice>> frozen = new HashMap<>();
    merged.forEach((k, v) -> frozen.put(k, Collections.unmodifiableNavigableMap(new TreeMap<>(v))));
    this.prices = Map.copyOf(frozen);
    this.resolver =
        new ModelNameResolver(
            (p, m) -> this.prices.containsKey(new Key(p, m)),
            aliases,
            ModelNameResolver.DEFAULT_CACHE_SIZE);
    this.problems = List.copyOf(problems);
  }

  /**
   * Builds the catalog from config, reading {@code pricing.files} through {@code files}. A file
   * that cannot be read is left out, logged and listed in {@link #problems()}: the other layers
   * still price usage.
   */
  public static PriceCatalog load(PricingConfig cfg, LiteLlmPriceFile files) {
    List<List<TokenPrice>> layers = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (!"none".equals(cfg.catalog())) layers.add(BuiltinPrices.load());
    for (String location : cfg.files()) {
      try {
        layers.add(files.load(location).prices());
      } catch (PriceFileException e) {
        log.warn(
            "event=price_file_failed file={} error=\"{}\"",
            dev.aicost.config.Secrets.redact(location),
            e.getMessage());
        problems.add(e.getMessage());
      }
    }
    layers.add(InlinePrices.from(cfg.models()));
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
    if (provider == null || model == null) return Optional.empty();
    LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
    return resolver
        .resolve(provider, model)
        .map(key -> prices.get(new Key(provider.trim().toLowerCase(Locale.ROOT), key)))
        .map(timeline -> timeline.floorEntry(day))
        .map(Map.Entry::getValue);
  }

  /**
   * The instants in (start, end) at which the model's price changes (its effective_from days, as
   * UTC midnights), in order; empty for an unpriced model or an interval within one price.
   */
  public List<Instant> changesBetween(String provider, String model, Instant start, Instant end) {
    if (provider == null || model == null || !start.isBefore(end)) return List.of();
    Optional<NavigableMap<LocalDate, TokenPrice>> timeline =
        resolver
            .resolve(provider, model)
            .map(key -> prices.get(new Key(provider.trim().toLowerCase(Locale.ROOT), key)));
    if (timeline.isEmpty()) return List.of();
    LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
    LocalDate last = LocalDate.ofInstant(end, ZoneOffset.UTC);
    List<Instant> out = new ArrayList<>();
    for (LocalDate d : timeline.get().subMap(first, false, last, true).keySet()) {
      Instant at = d.atStartOfDay(ZoneOffset.UTC).toInstant();
      if (at.isAfter(start) && at.isBefore(end)) out.add(at);
    }
    return out;
  }

  /** Every model's price in force at {@code now}, ordered by provider and model. */
  public List<TokenPrice> currentPrices(Instant now) {
    LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
    return prices.values().stream()
        .map(timeline -> timeline.floorEntry(day))
        .filter(Objects::nonNull)
        .map(Map.Entry::getValue)
        .sorted(Comparator.comparing(TokenPrice::provider).thenComparing(TokenPrice::model))
        .toList();
  }

  /** User-facing messages of price files that could not be loaded. */
  public List<String> problems() {
    return problems;
  }

  /** Number of distinct (provider, model) keys. */
  public int size() {
    return prices.size();
  }

  private static void mergeLayer(
      Map<Key, NavigableMap<LocalDate, TokenPrice>> merged, List<TokenPrice> layer) {
    Map<Key, List<TokenPrice>> byKey = new HashMap<>();
    for (TokenPrice p : layer)
      byKey.computeIfAbsent(Key.of(p), k -> new ArrayList<>()).add(normalised(p));
    byKey.forEach(
        (key, ps) -> {
          LocalDate from =
              ps.stream()
                  .map(TokenPrice::effectiveFrom)
                  .min(Comparator.naturalOrder())
                  .orElseThrow();
          NavigableMap<LocalDate, TokenPrice> timeline =
              merged.computeIfAbsent(key, k -> new TreeMap<>());
          timeline.tailMap(from, true).clear();
          ps.forEach(p -> timeline.put(p.effectiveFrom(), p));
        });
  }

  private static TokenPrice normalised(TokenPrice p) {
    Key k = Key.of(p);
    if (k.provider().equals(p.provider()) && k.model().equals(p.model())) return p;
    return new TokenPrice(
        p.input(),
        p.cacheRead(),
        p.cacheWrite(),
        p.output(),
        p.source(),
        k.provider(),
        k.model(),
        p.effectiveFrom());
  }

  private record Key(String provider, String model) {
    static Key of(TokenPrice p) {
      return new Key(
          p.provider().trim().toLowerCase(Locale.ROOT), p.model().trim().toLowerCase(Locale.ROOT));
    }
  }
}
