package dev.aicost.accounting;

import dev.aicost.attribution.Attribution;
import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.Batch;
import dev.aicost.ledger.Increment;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.LabelValues;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.GpuDelta;
import dev.aicost.model.SpendDelta;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.TokenType;
import dev.aicost.model.UsageDelta;
import dev.aicost.pricing.EnergyPrice;
import dev.aicost.pricing.GpuPrice;
import dev.aicost.pricing.GpuPriceResolver;
import dev.aicost.pricing.PriceCatalog;
import dev.aicost.pricing.PriceHistory;
import dev.aicost.pricing.PriceScope;
import dev.aicost.store.TrailingWindows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
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
  private static final String CATEGORY_INFERENCE = LabelValues.CATEGORY_INFERENCE;
  private static final String CATEGORY_COMPUTE = LabelValues.CATEGORY_COMPUTE;
  private static final String SELF_HOSTED = LabelValues.SELF_HOSTED;
  private static final String SERVICE_VLLM = LabelValues.SERVICE_VLLM;
  private static final String SERVICE_GPU = LabelValues.SERVICE_GPU;
  private static final String SERVICE_GPU_ENERGY = LabelValues.SERVICE_GPU_ENERGY;

  private final PriceHistory prices;
  private final AttributionRules rules;
  private final ToIntFunction<String> deploymentGpuCount;
  private final Set<String> gpuMetered;
  private final Optional<EnergyPrice> energy;
  private final Map<String, Map<String, Double>> lastShares = new ConcurrentHashMap<>();
  private final Set<String> unpricedLogged = ConcurrentHashMap.newKeySet();

  /**
   * @param prices the prices in force over time (reloads add epochs)
   * @param deploymentGpuCount the {@code gpu_count} configured on a deployment
   * @param gpuMeteredDeployments deployments whose GPUs NVML measures: their dollars come from GPU
   *     time
   * @param energy energy price, when configured
   */
  public BatchAccountant(
      PriceHistory prices,
      AttributionRules rules,
      ToIntFunction<String> deploymentGpuCount,
      Set<String> gpuMeteredDeployments,
      Optional<EnergyPrice> energy) {
    this.prices = prices;
    this.rules = rules;
    this.deploymentGpuCount = deploymentGpuCount;
    this.gpuMetered = Set.copyOf(gpuMeteredDeployments);
    this.energy = energy;
  }

  /** One price epoch for all time: tests and tools that do not reload. */
  public BatchAccountant(
      PriceCatalog catalog,
      GpuPriceResolver gpuPrices,
      AttributionRules rules,
      ToIntFunction<String> deploymentGpuCount,
      Set<String> gpuMeteredDeployments,
      Optional<EnergyPrice> energy) {
    this(
        PriceHistory.of(catalog, gpuPrices),
        rules,
        deploymentGpuCount,
        gpuMeteredDeployments,
        energy);
  }

  /**
   * What a batch adds: ledger increments, window observations, and gauges to set (prices, GPU
   * state).
   */
  public record Result(
      List<Increment> increments,
      List<TrailingWindows.Observation> observations,
      List<GaugeUpdate> gauges) {}

  /** A gauge value this batch established (price in force, GPU power, ...). */
  public record GaugeUpdate(Family family, List<String> labels, double value) {}

  public Result account(Batch batch) {
    List<Increment> out = new ArrayList<>();
    Map<WindowKey, WindowAcc> windows = new LinkedHashMap<>();
    List<GaugeUpdate> gauges = new ArrayList<>();
    // deployments a source prices by GPU time itself (discovered pods carry their own gpu_count)
    Set<String> timed = new HashSet<>();
    for (CapacityDelta c : batch.capacity()) if (c.gpuCount() > 0) timed.add(c.deployment());

    for (UsageDelta u : batch.usage()) {
      Attribution a =
          attribute(u.provider(), u.service(), u.deployment(), u.model(), u.sourceIds());
      // history says only "tokens known up to here": what it cost was never measured, so it stays
      // out of ratios
      WindowAcc w =
          u.history()
              ? window(
                  windows,
                  windowKey(u.provider(), u.service(), u.deployment(), u.model(), a),
                  u.end(),
                  u.end())
              : window(
                  windows,
                  windowKey(u.provider(), u.service(), u.deployment(), u.model(), a),
                  u.start(),
                  u.end());
      w.usage = true;
      if (!u.history()) w.add(u.tokens(), u.cacheKnown());
      for (TokenType t : TokenType.values()) {
        long n = u.tokens().get(t);
        if (n == 0) continue;
        out.add(
            new Increment(
                Metrics.TOKENS,
                withAttr(a, u.provider(), u.service(), u.deployment(), u.model(), t.label()),
                n,
                bookedAt(u)));
      }
      if (u.requests() > 0) {
        out.add(
            new Increment(
                Metrics.REQUESTS,
                withAttr(a, u.provider(), u.service(), u.deployment(), u.model()),
                u.requests(),
                bookedAt(u)));
      }
      if (!isSelfHosted(u)) priceTokens(u, a, out, w);
      else if (!hasCostBasis(u.deployment()) && !timed.contains(u.deployment()))
        unpricedSelfHosted(u, out, w);
    }

    for (SpendDelta d : batch.spend()) billedSpend(d, out);
    updateShares(batch.usage());
    for (CapacityDelta c : batch.capacity()) allocateCapacity(c, out, windows, gauges);
    for (GpuDelta g : batch.gpus()) gpuTime(g, out, windows, gauges);

    List<TrailingWindows.Observation> obs = new ArrayList<>();
    windows.forEach(
        (k, w) ->
            obs.add(
                new TrailingWindows.Observation(
                    k.labels(),
                    k.start(),
                    k.end(),
                    w.usage,
                    w.dollars,
                    w.usd,
                    w.tokens,
                    w.cacheRead,
                    w.prompt,
                    w.unpriced)));
    return new Result(out, obs, gauges);
  }

  /**
   * Where usage lands in the ledger's time rows: self-hosted deltas are a read's last seconds, at
   * their end; a managed API's bucket (an hour, a minute) at its start, so a bucket is dated when
   * the usage happened, not when the bucket closed.
   */
  private static Instant bookedAt(UsageDelta u) {
    return isSelfHosted(u) ? u.end() : u.start();
  }

  /**
   * Dollars a bill states directly (Cost Explorer's EC2 days ...): spend at the bill's start,
   * attributed like usage, outside the trailing windows (they are late, daily figures, not a rate).
   */
  private void billedSpend(SpendDelta d, List<Increment> out) {
    if (d.usd() == 0) return;
    Attribution a = attribute(d.provider(), d.service(), d.deployment(), d.model(), d.sourceIds());
    out.add(
        new Increment(
            Metrics.SPEND,
            withAttr(a, d.provider(), d.service(), d.category(), d.deployment(), d.model(), ""),
            d.usd(),
            d.start()));
  }

  /**
   * Tokens priced at the price in force when they were used: an interval that crosses a price
   * change (an effective_from day, a reload) is split there, its tokens shared by time. Without a
   * price the tokens are counted as unpriced, never as $0.
   */
  private void priceTokens(UsageDelta u, Attribution a, List<Increment> out, WindowAcc w) {
    // tier (batch, flex, priority), long context, 1h cache writes, region: from the source's ids
    PriceScope scope = PriceScope.of(u.sourceIds());
    List<PriceHistory.Part> parts = pricedParts(u, scope);
    for (TokenType t : TokenType.values()) {
      long n = u.tokens().get(t);
      if (n == 0) continue;
      double usd = 0, unpricedShare = 0;
      boolean anyPrice = false;
      for (PriceHistory.Part part : parts) {
        Double perToken =
            part.prices()
                .catalog()
                .priceFor(u.provider(), u.model(), part.start(), scope)
                .map(p -> p.forType(t, scope))
                .orElse(null);
        if (perToken == null) unpricedShare += part.fraction();
        else {
          usd += n * part.fraction() * perToken;
          anyPrice = true;
        }
      }
      long unpriced = Math.round(n * unpricedShare);
      if (unpriced > 0) {
        out.add(
            new Increment(
                Metrics.UNPRICED_TOKENS,
                List.of(u.provider(), u.service(), u.model(), t.label()),
                unpriced,
                bookedAt(u)));
        w.unpriced += unpriced;
        if (unpricedLogged.add(u.provider() + "/" + u.model() + "/" + t.label() + "/" + scope)) {
          log.warn(
              "event=unpriced_usage provider={} service={} model=\"{}\" token_type={} tier={} long_context={} hint=\"add pricing.models or pricing.aliases; a tier without a published rate stays unpriced\"",
              u.provider(),
              u.service(),
              u.model(),
              t.label(),
              scope.tier(),
              scope.longContext());
        }
      }
      if (!anyPrice) continue;
      out.add(
          new Increment(
              Metrics.SPEND,
              withAttr(
                  a,
                  u.provider(),
                  u.service(),
                  CATEGORY_INFERENCE,
                  u.deployment(),
                  u.model(),
                  t.label()),
              usd,
              bookedAt(u)));
      w.usd += usd;
      w.dollars = true;
    }
  }

  /**
   * The usage interval cut at reloads and at the model's effective_from days; history at its end
   * price.
   */
  private List<PriceHistory.Part> pricedParts(UsageDelta u, PriceScope scope) {
    if (u.history()) {
      PriceHistory.Epoch now = prices.current();
      return List.of(new PriceHistory.Part(u.end(), u.end(), 1.0, now));
    }
    List<PriceHistory.Part> out = new ArrayList<>();
    for (PriceHistory.Part p : prices.split(u.start(), u.end())) {
      List<Instant> cuts =
          p.prices().catalog().changesBetween(u.provider(), u.model(), p.start(), p.end(), scope);
      if (cuts.isEmpty()) {
        out.add(p);
        continue;
      }
      Instant cursor = p.start();
      for (Instant cut : cuts) {
        out.add(
            new PriceHistory.Part(
                cursor, cut, p.fraction() * share(cursor, cut, p.start(), p.end()), p.prices()));
        cursor = cut;
      }
      out.add(
          new PriceHistory.Part(
              cursor,
              p.end(),
              p.fraction() * share(cursor, p.end(), p.start(), p.end()),
              p.prices()));
    }
    return out;
  }

  private static double share(Instant from, Instant to, Instant start, Instant end) {
    return (to.toEpochMilli() - from.toEpochMilli())
        / (double) (end.toEpochMilli() - start.toEpochMilli());
  }

  /**
   * Self-hosted usage is priced by GPU time: with neither gpu_count nor NVML-measured GPUs, its
   * cost is unknown.
   */
  private boolean hasCostBasis(String deployment) {
    return gpuMetered.contains(deployment) || deploymentGpuCount.applyAsInt(deployment) > 0;
  }

  private void unpricedSelfHosted(UsageDelta u, List<Increment> out, WindowAcc w) {
    for (TokenType t : TokenType.values()) {
      long n = u.tokens().get(t);
      if (n == 0) continue;
      out.add(
          new Increment(
              Metrics.UNPRICED_TOKENS,
              List.of(u.provider(), u.service(), u.model(), t.label()),
              n,
              u.end()));
      if (!u.history()) w.unpriced += n;
    }
    if (u.tokens().total() > 0 && unpricedLogged.add(u.provider() + "/" + u.deployment())) {
      log.warn(
          "event=unpriced_usage provider={} service={} deployment={} reason=no_gpu_basis "
              + "hint=\"set gpu_count (with gpu_hourly_usd or pricing.gpus) or gpus: for NVML; self-hosted usage is priced by GPU time\"",
          u.provider(),
          u.service(),
          u.deployment());
    }
  }

  private void allocateCapacity(
      CapacityDelta c,
      List<Increment> out,
      Map<WindowKey, WindowAcc> windows,
      List<GaugeUpdate> gauges) {
    Map<String, Double> shares = lastShares.getOrDefault(c.deployment(), Map.of("", 1.0));
    // With NVML measuring this deployment's GPUs, their dollars come from GPU time (gpuTime), not
    // from gpu_count.
    if (gpuMetered.contains(c.deployment()) || c.gpuCount() == 0 || c.seconds() == 0) return;
    PriceHistory.Series series = PriceHistory.Series.capacity(c.deployment());
    for (PriceHistory.GpuPart part :
        prices.gpuPrices(c.start(), c.end(), series, c.gpuHourlyUsd(), c.gpuName())) {
      double usd = c.gpuCount() * part.price().hourlyUsd() * c.seconds() * part.fraction() / 3600.0;
      bookDeploymentSpend(
          c.provider(),
          c.service(),
          CATEGORY_INFERENCE,
          c.deployment(),
          shares,
          usd,
          part.start(),
          part.end(),
          out,
          windows);
    }
    GpuPrice now = prices.gpuPriceNow(c.gpuHourlyUsd(), c.gpuName());
    gauges.add(
        new GaugeUpdate(
            Metrics.GPU_PRICE, List.of("", "", c.deployment(), now.source()), now.hourlyUsd()));
  }

  /**
   * Spreads a deployment's dollars over its models by token share, and over the clock slices they
   * were spent in.
   */
  private void bookDeploymentSpend(
      String provider,
      String service,
      String category,
      String deployment,
      Map<String, Double> shares,
      double usd,
      Instant start,
      Instant end,
      List<Increment> out,
      Map<WindowKey, WindowAcc> windows) {
    bookDeploymentSpend(
        provider, service, category, deployment, shares, usd, start, end, out, windows, service);
  }

  /**
   * @param windowService the service whose $/1k window these dollars count in (energy counts with
   *     GPU time)
   */
  private void bookDeploymentSpend(
      String provider,
      String service,
      String category,
      String deployment,
      Map<String, Double> shares,
      double usd,
      Instant start,
      Instant end,
      List<Increment> out,
      Map<WindowKey, WindowAcc> windows,
      String windowService) {
    if (usd < 0) return;
    for (Map.Entry<String, Double> share : shares.entrySet()) {
      String model = share.getKey();
      double part = usd * share.getValue();
      Attribution a = attribute(provider, service, deployment, model, Map.of());
      if (part > 0) {
        for (TimeSlice slice : TimeSlice.split(start, end)) {
          out.add(
              new Increment(
                  Metrics.SPEND,
                  withAttr(a, provider, service, category, deployment, model, ""),
                  part * slice.fraction(),
                  slice.at()));
        }
      }
      Attribution wa =
          windowService.equals(service)
              ? a
              : attribute(provider, windowService, deployment, model, Map.of());
      WindowAcc w =
          window(windows, windowKey(provider, windowService, deployment, model, wa), start, end);
      w.usd += part;
      w.dollars = true;
    }
  }

  /**
   * One GPU's interval: seconds and dollars by state, energy, and the spend they make. A GPU
   * serving a configured deployment adds to that deployment's inference spend (split by the latest
   * token shares); a GPU serving none is {@code service="gpu"} compute spend with {@code
   * deployment=""}, never dropped. MIG-enabled GPUs, whose busy time NVML cannot tell, are booked
   * as state {@code unknown}, not idle.
   */
  private void gpuTime(
      GpuDelta g,
      List<Increment> out,
      Map<WindowKey, WindowAcc> windows,
      List<GaugeUpdate> gauges) {
    String gpu = Integer.toString(g.index());
    GpuPrice price = prices.gpuPriceNow(g.deploymentHourlyUsd(), g.name());
    List<PriceHistory.GpuPart> parts =
        prices.gpuPrices(
            g.start(),
            g.end(),
            PriceHistory.Series.gpu(g.uuid()),
            g.deploymentHourlyUsd(),
            g.name());
    double elapsed = Math.max(0, (g.end().toEpochMilli() - g.start().toEpochMilli()) / 1000.0);
    Map<String, Double> seconds = new LinkedHashMap<>();
    if (g.utilizationKnown()) {
      seconds.put("busy", g.busySeconds());
      seconds.put("idle", g.idleSeconds());
    } else {
      seconds.put("unknown", elapsed);
    }
    // busy and idle seconds are spread evenly over the interval, so a price change inside it splits
    // them by time
    double[] usdByPart = new double[parts.size()];
    for (Map.Entry<String, Double> s : seconds.entrySet()) {
      if (!(s.getValue() > 0)) continue;
      List<String> labels = List.of(gpu, g.uuid(), g.deployment(), s.getKey());
      out.add(new Increment(Metrics.GPU_SECONDS, labels, s.getValue(), g.end()));
      double stateUsd = 0;
      for (int i = 0; i < parts.size(); i++) {
        double d =
            s.getValue() * parts.get(i).fraction() * parts.get(i).price().hourlyUsd() / 3600.0;
        usdByPart[i] += d;
        stateUsd += d;
      }
      out.add(new Increment(Metrics.GPU_COST, labels, stateUsd, g.end()));
    }
    double energyUsd = 0;
    if (g.energyJoules() > 0) {
      out.add(new Increment(Metrics.GPU_ENERGY, List.of(gpu, g.uuid()), g.energyJoules(), g.end()));
      energyUsd = energy.map(e -> e.usdFor(g.energyJoules())).orElse(0.0);
    }
    String deployment = g.deployment();
    // GPU time books under the deployment's own service; energy is its own series (service
    // gpu_energy)
    // under the same deployment and models, so sum by deployment is GPU time + energy.
    String service = deployment.isEmpty() ? SERVICE_GPU : SERVICE_VLLM;
    String category = deployment.isEmpty() ? CATEGORY_COMPUTE : CATEGORY_INFERENCE;
    Map<String, Double> shares =
        deployment.isEmpty()
            ? Map.of("", 1.0)
            : lastShares.getOrDefault(deployment, Map.of("", 1.0));
    for (int i = 0; i < parts.size(); i++) {
      PriceHistory.GpuPart p = parts.get(i);
      bookDeploymentSpend(
          SELF_HOSTED,
          service,
          category,
          deployment,
          shares,
          usdByPart[i],
          p.start(),
          p.end(),
          out,
          windows);
    }
    if (energyUsd > 0)
      bookDeploymentSpend(
          SELF_HOSTED,
          SERVICE_GPU_ENERGY,
          category,
          deployment,
          shares,
          energyUsd,
          g.start(),
          g.end(),
          out,
          windows,
          service);
    List<String> id = List.of(gpu, g.uuid());
    gauges.add(
        new GaugeUpdate(
            Metrics.GPU_PRICE,
            List.of(gpu, g.uuid(), deployment, price.source()),
            price.hourlyUsd()));
    gauges.add(new GaugeUpdate(Metrics.GPU_UTILIZATION_KNOWN, id, g.utilizationKnown() ? 1 : 0));
    if (!Double.isNaN(g.utilizationRatio()))
      gauges.add(new GaugeUpdate(Metrics.GPU_UTILIZATION, id, g.utilizationRatio()));
    if (!Double.isNaN(g.powerWatts()))
      gauges.add(new GaugeUpdate(Metrics.GPU_POWER, id, g.powerWatts()));
    if (g.memoryUsedBytes() >= 0)
      gauges.add(new GaugeUpdate(Metrics.GPU_MEMORY_USED, id, g.memoryUsedBytes()));
    if (g.memoryTotalBytes() >= 0)
      gauges.add(new GaugeUpdate(Metrics.GPU_MEMORY_TOTAL, id, g.memoryTotalBytes()));
  }

  /**
   * Each self-hosted deployment's current model mix: token shares of this batch; with no tokens,
   * the last mix seen; with none seen yet, the models it serves in equal parts.
   */
  private void updateShares(List<UsageDelta> usage) {
    Map<String, Map<String, Long>> byDeployment = new LinkedHashMap<>();
    for (UsageDelta u : usage) {
      if (!isSelfHosted(u)) continue;
      byDeployment
          .computeIfAbsent(u.deployment(), d -> new LinkedHashMap<>())
          .merge(u.model(), u.tokens().total(), Long::sum);
    }
    byDeployment.forEach(
        (deployment, tokens) -> {
          long total = tokens.values().stream().mapToLong(Long::longValue).sum();
          Map<String, Double> shares = new LinkedHashMap<>();
          if (total > 0) {
            tokens.forEach(
                (model, n) -> {
                  if (n > 0) shares.put(model, n / (double) total);
                });
          } else if (!lastShares.containsKey(deployment)) {
            tokens.keySet().forEach(model -> shares.put(model, 1.0 / tokens.size()));
          }
          if (!shares.isEmpty()) lastShares.put(deployment, Map.copyOf(shares));
        });
  }

  private Attribution attribute(
      String provider,
      String service,
      String deployment,
      String model,
      Map<String, String> sourceIds) {
    Map<String, String> ids = new HashMap<>(sourceIds);
    ids.put("provider", provider);
    ids.put(Metrics.SERVICE, service);
    ids.put("deployment", deployment);
    ids.put("model", model);
    return rules.resolve(ids);
  }

  private static boolean isSelfHosted(UsageDelta u) {
    return SELF_HOSTED.equals(u.provider());
  }

  private static List<String> windowKey(
      String provider, String service, String deployment, String model, Attribution a) {
    return withAttr(a, provider, service, deployment, model);
  }

  private static WindowAcc window(
      Map<WindowKey, WindowAcc> windows, List<String> labels, Instant start, Instant end) {
    return windows.computeIfAbsent(new WindowKey(labels, start, end), k -> new WindowAcc());
  }

  static List<String> withAttr(Attribution a, String... labels) {
    List<String> l = new ArrayList<>(labels.length + 5);
    l.addAll(List.of(labels));
    l.addAll(a.values());
    return l;
  }

  /** A window series and the interval an observation covers. */
  private record WindowKey(List<String> labels, Instant start, Instant end) {}

  private static final class WindowAcc {
    boolean usage, dollars;
    double usd;
    long tokens, cacheRead, prompt, unpriced;

    /**
     * @param cacheKnown false: the source could not tell cache reads apart, so the tokens stay out
     *     of the hit ratio
     */
    void add(TokenCounts t, boolean cacheKnown) {
      tokens += t.total();
      if (!cacheKnown) return;
      cacheRead += t.cacheRead();
      prompt += t.prompt();
    }
  }
}
