package dev.aicost.accounting;

import dev.aicost.attribution.Attribution;
import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.Batch;
import dev.aicost.ledger.Increment;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.TokenType;
import dev.aicost.model.UsageDelta;
import dev.aicost.pricing.GpuPrice;
import dev.aicost.pricing.GpuPriceResolver;
import dev.aicost.pricing.PriceCatalog;
import dev.aicost.pricing.TokenPrice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one source batch into counter increments (tokens, requests, dollars, unpriced tokens) and
 * trailing-window observations: pricing at the price in force when the usage happened, then
 * attribution. Pure with respect to the ledger: the orchestrator commits what this returns.
 *
 * <p>Self-hosted GPU time is priced per deployment (gpu_count x hourly price x seconds) and
 * allocated to the deployment's models by their token share in the same interval; an interval
 * without tokens goes by the last known shares, else to {@code model=""}, never nowhere.
 */
public final class BatchAccountant {
  private static final Logger log = LoggerFactory.getLogger(BatchAccountant.class);
  public static final String CATEGORY_INFERENCE = "inference";

  private final PriceCatalog catalog;
  private final GpuPriceResolver gpuPrices;
  private final AttributionRules rules;
  private final Function<String, Double> deploymentHourlyUsd;
  private final long windowMs;
  private final Map<String, Map<String, Double>> lastShares = new ConcurrentHashMap<>();
  private final Set<String> unpricedLogged = ConcurrentHashMap.newKeySet();

  /**
   * @param deploymentHourlyUsd the {@code gpu_hourly_usd} configured on a deployment, or null
   */
  public BatchAccountant(PriceCatalog catalog, GpuPriceResolver gpuPrices, AttributionRules rules,
      Function<String, Double> deploymentHourlyUsd, java.time.Duration trailingWindow) {
    this.windowMs = trailingWindow.toMillis();
    this.catalog = catalog;
    this.gpuPrices = gpuPrices;
    this.rules = rules;
    this.deploymentHourlyUsd = deploymentHourlyUsd;
  }

  /** What a batch adds: ledger increments, window observations, and prices seen (for gauges). */
  public record Result(List<Increment> increments, List<WindowObservation> observations, List<PriceSeen> prices) {}

  public record WindowObservation(List<String> key, Instant at, double usd, long tokens, long cacheRead, long prompt) {}

  /** A price that applied to usage in this batch, for the price gauges. */
  public record PriceSeen(String kind, List<String> labels, double value) {}

  public Result account(Batch batch) {
    List<Increment> out = new ArrayList<>();
    Map<List<String>, WindowAcc> windows = new LinkedHashMap<>();
    List<PriceSeen> prices = new ArrayList<>();

    for (UsageDelta u : batch.usage()) {
      Attribution a = attribute(u.provider(), u.service(), u.deployment(), u.model(), u.sourceIds());
      WindowAcc w = windows.computeIfAbsent(windowKey(u.provider(), u.service(), u.deployment(), u.model(), a), k -> new WindowAcc(u.end()));
      w.add(u.tokens(), windowShare(u.start(), u.end()));
      for (TokenType t : TokenType.values()) {
        long n = u.tokens().get(t);
        if (n == 0) continue;
        out.add(new Increment(Metrics.TOKENS, withAttr(a, u.provider(), u.service(), u.deployment(), u.model(), t.label()), n, u.end()));
      }
      if (u.requests() > 0) {
        out.add(new Increment(Metrics.REQUESTS, withAttr(a, u.provider(), u.service(), u.deployment(), u.model()), u.requests(), u.end()));
      }
      if (!isSelfHosted(u)) priceTokens(u, a, out, w, prices);
    }

    for (CapacityDelta c : batch.capacity()) allocateCapacity(c, batch.usage(), out, windows, prices);

    List<WindowObservation> obs = new ArrayList<>();
    windows.forEach((k, w) -> obs.add(new WindowObservation(k, w.at, w.usd, w.tokens, w.cacheRead, w.prompt)));
    return new Result(out, obs, prices);
  }

  private void priceTokens(UsageDelta u, Attribution a, List<Increment> out, WindowAcc w, List<PriceSeen> prices) {
    Optional<TokenPrice> price = catalog.priceFor(u.provider(), u.model(), u.end());
    for (TokenType t : TokenType.values()) {
      long n = u.tokens().get(t);
      if (n == 0) continue;
      Double perToken = price.map(p -> p.forType(t)).orElse(null);
      if (perToken == null) {
        out.add(new Increment(Metrics.UNPRICED_TOKENS, List.of(u.provider(), u.service(), u.model(), t.label()), n, u.end()));
        if (unpricedLogged.add(u.provider() + "/" + u.model() + "/" + t.label())) {
          log.warn("event=unpriced_usage provider={} service={} model=\"{}\" token_type={} hint=\"add pricing.models or pricing.aliases\"",
              u.provider(), u.service(), u.model(), t.label());
        }
        continue;
      }
      double usd = n * perToken;
      out.add(new Increment(Metrics.SPEND, withAttr(a, u.provider(), u.service(), CATEGORY_INFERENCE, u.deployment(), u.model(), t.label()), usd, u.end()));
      w.usd += usd * windowShare(u.start(), u.end());
      prices.add(new PriceSeen("token", List.of(u.provider(), u.model(), t.label(), price.get().source()), perToken));
    }
  }

  private void allocateCapacity(CapacityDelta c, List<UsageDelta> usage, List<Increment> out, Map<List<String>, WindowAcc> windows, List<PriceSeen> prices) {
    if (c.gpuCount() == 0 || c.seconds() == 0) return;
    GpuPrice price = gpuPrices.resolve(deploymentHourlyUsd.apply(c.deployment()), c.gpuName());
    prices.add(new PriceSeen("gpu", List.of("", "", c.deployment(), price.source()), price.hourlyUsd()));
    double usd = c.gpuCount() * price.hourlyUsd() * c.seconds() / 3600.0;
    if (usd == 0) return;

    Map<String, Double> shares = tokenShares(c, usage);
    if (shares.isEmpty()) shares = lastShares.getOrDefault(c.deployment(), Map.of("", 1.0));
    else lastShares.put(c.deployment(), shares);

    for (Map.Entry<String, Double> share : shares.entrySet()) {
      String model = share.getKey();
      double part = usd * share.getValue();
      Attribution a = attribute(c.provider(), c.service(), c.deployment(), model, Map.of());
      for (HourSlice slice : HourSlice.split(c.start(), c.end())) {
        out.add(new Increment(Metrics.SPEND, withAttr(a, c.provider(), c.service(), CATEGORY_INFERENCE, c.deployment(), model, ""),
            part * slice.fraction(), slice.at()));
      }
      windows.computeIfAbsent(windowKey(c.provider(), c.service(), c.deployment(), model, a), k -> new WindowAcc(c.end())).usd += part * windowShare(c.start(), c.end());
    }
  }

  /**
   * The part of usage spread over [start, end] that falls in the trailing window ending at end:
   * 1 for ordinary intervals; small for a first read that books days of history at once.
   */
  private double windowShare(Instant start, Instant end) {
    long span = end.toEpochMilli() - start.toEpochMilli();
    return span <= windowMs ? 1.0 : windowMs / (double) span;
  }

  private static Map<String, Double> tokenShares(CapacityDelta c, List<UsageDelta> usage) {
    Map<String, Long> tokens = new HashMap<>();
    long total = 0;
    for (UsageDelta u : usage) {
      if (!u.deployment().equals(c.deployment()) || !u.provider().equals(c.provider())) continue;
      tokens.merge(u.model(), u.tokens().total(), Long::sum);
      total += u.tokens().total();
    }
    Map<String, Double> shares = new LinkedHashMap<>();
    if (total == 0) return shares;
    for (Map.Entry<String, Long> e : tokens.entrySet()) {
      if (e.getValue() > 0) shares.put(e.getKey(), e.getValue() / (double) total);
    }
    return shares;
  }

  private Attribution attribute(String provider, String service, String deployment, String model, Map<String, String> sourceIds) {
    Map<String, String> ids = new HashMap<>(sourceIds);
    ids.put("provider", provider);
    ids.put("service", service);
    ids.put("deployment", deployment);
    ids.put("model", model);
    return rules.resolve(ids);
  }

  private static boolean isSelfHosted(UsageDelta u) {
    return "self_hosted".equals(u.provider());
  }

  private static List<String> windowKey(String provider, String service, String deployment, String model, Attribution a) {
    return withAttr(a, provider, service, deployment, model);
  }

  static List<String> withAttr(Attribution a, String... labels) {
    List<String> l = new ArrayList<>(labels.length + 5);
    l.addAll(List.of(labels));
    l.addAll(a.values());
    return l;
  }

  private static final class WindowAcc {
    final Instant at;
    double usd;
    long tokens, cacheRead, prompt;

    WindowAcc(Instant at) {
      this.at = at;
    }

    void add(TokenCounts t, double share) {
      tokens += Math.round(t.total() * share);
      cacheRead += Math.round(t.cacheRead() * share);
      prompt += Math.round(t.prompt() * share);
    }
  }
}
