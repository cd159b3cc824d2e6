package dev.aicost.exposition;

import dev.aicost.metrics.Metrics;
import dev.aicost.model.TokenType;
import dev.aicost.pricing.PriceCatalog;
import dev.aicost.pricing.TokenPrice;
import dev.aicost.store.CounterStore;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * {@code aicost_price_usd_per_token}: the price in force now for each model that has been used (a
 * managed-API series in {@code aicost_tokens_total}, restored from the ledger after a restart), not
 * the whole catalog's list prices; labelled with the model name as used, so it joins the token
 * series. Standard-tier rates (tiers are applied per record by the accountant). Worked out from the
 * current catalog whenever the exposition is rebuilt, so an {@code effective_from} day that
 * arrives, or a reload, shows at once. The result is kept until the catalog, the UTC day or the set
 * of token series changes.
 */
public final class PriceGauges {
  private final CounterStore counters;
  private final Supplier<PriceCatalog> catalog;
  private final Clock clock;
  private volatile Cached cached;

  private record Cached(
      PriceCatalog catalog, LocalDate day, int tokenSeries, Map<Labels, Double> points) {}

  public PriceGauges(CounterStore counters, Supplier<PriceCatalog> catalog, Clock clock) {
    this.counters = counters;
    this.catalog = catalog;
    this.clock = clock;
  }

  /** Visits the price series in label order. */
  public void forEach(BiConsumer<Labels, Double> action) {
    PriceCatalog c = catalog.get();
    if (c == null) return;
    LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    int[] n = {0};
    counters.forEach(Metrics.TOKENS, (l, v) -> n[0]++);
    Cached k = cached;
    if (k == null || k.catalog != c || !k.day.equals(day) || k.tokenSeries != n[0]) {
      k = new Cached(c, day, n[0], compute(c));
      cached = k;
    }
    k.points.forEach(action);
  }

  private Map<Labels, Double> compute(PriceCatalog c) {
    int provider = Metrics.TOKENS.labelIndex(Metrics.PROVIDER),
        model = Metrics.TOKENS.labelIndex(Metrics.MODEL);
    List<List<String>> used = new ArrayList<>();
    counters.forEach(Metrics.TOKENS, (l, v) -> used.add(List.of(l.get(provider), l.get(model))));
    Map<List<String>, Double> values = new LinkedHashMap<>();
    for (List<String> pm : used) {
      // self-hosted usage is priced by GPU time, never per token
      if ("self_hosted".equals(pm.get(0))) continue;
      c.priceFor(pm.get(0), pm.get(1), clock.instant())
          .ifPresent(p -> put(values, pm.get(0), pm.get(1), p));
    }
    Map<Labels, Double> out = new TreeMap<>();
    values.forEach(
        (labels, v) -> out.put(Labels.of(Metrics.PRICE_PER_TOKEN.labelNames(), labels), v));
    return out;
  }

  // labelled with the model as the source reported it (not the catalog key it resolved to), so the
  // gauge joins aicost_tokens_total on (provider, model): "claude-3-5-sonnet-20241022" keeps its
  // name
  private static void put(
      Map<List<String>, Double> values, String provider, String model, TokenPrice p) {
    for (TokenType t : TokenType.values()) {
      Double v = p.forType(t);
      if (v != null) values.put(List.of(provider, model, t.label(), p.source()), v);
    }
  }
}
