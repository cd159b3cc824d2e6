package dev.aicost.exposition;

import dev.aicost.collect.CollectorHealth;
import dev.aicost.collect.Orchestrator;
import dev.aicost.metrics.BuildInfo;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.LabelValues;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.GpuInventory;
import dev.aicost.store.CounterStore;
import dev.aicost.store.GaugeStore;
import dev.aicost.store.TrailingWindows;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds every {@code aicost_*} family from in-memory state. It reads, never waits: no upstream
 * call and no disk I/O happen here, whatever the sources are doing. Series come out of the stores
 * already in label order with their labels built once, so a snapshot costs little more than its
 * data points.
 */
public final class ExporterCollector implements MultiCollector {
  private static final List<Family> GAUGES =
      List.of(
          Metrics.GPU_PRICE,
          Metrics.GPU_UTILIZATION,
          Metrics.GPU_UTILIZATION_KNOWN,
          Metrics.GPU_POWER,
          Metrics.GPU_MEMORY_USED,
          Metrics.GPU_MEMORY_TOTAL,
          Metrics.BUDGET,
          Metrics.BUDGET_MTD,
          Metrics.BUDGET_FORECAST,
          Metrics.BUDGET_VARIANCE,
          Metrics.BILLED,
          Metrics.RECONCILIATION_DRIFT,
          Metrics.CONFIG_RELOAD_SUCCESS,
          Metrics.CONFIG_RELOAD_SUCCESS_TIME);

  private static final MathContext USD_DIGITS = new MathContext(15, RoundingMode.HALF_EVEN);

  private final Clock clock;
  private final CounterStore counters;
  private final GaugeStore gauges;
  private final TrailingWindows windows;
  private final PriceGauges prices;
  private final Supplier<Orchestrator> orchestrator;
  private final BuildInfo build;
  private final Supplier<GpuInventory> gpuInventory;

  public ExporterCollector(
      Clock clock,
      CounterStore counters,
      GaugeStore gauges,
      TrailingWindows windows,
      PriceGauges prices,
      Supplier<Orchestrator> orchestrator,
      BuildInfo build,
      Supplier<GpuInventory> gpuInventory) {
    this.clock = clock;
    this.counters = counters;
    this.gauges = gauges;
    this.windows = windows;
    this.prices = prices;
    this.orchestrator = orchestrator;
    this.build = build;
    this.gpuInventory = gpuInventory;
  }

  @Override
  public MetricSnapshots collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    for (Family f : Metrics.PERSISTED_COUNTERS) {
      if (f == Metrics.UNPRICED_TOKENS) counter(out, f, this::unpricedWithZeros);
      else counter(out, f, each -> counters.forEachOrdered(f, each));
    }
    gauge(out, Metrics.PRICE_PER_TOKEN, prices::forEach);
    for (Family f : GAUGES) gauge(out, f, each -> gauges.forEach(f, each));
    info(
        out,
        Metrics.GPU_INFO,
        each -> {
          GpuInventory inv = gpuInventory.get();
          for (GpuInventory.Gpu g : inv.gpus()) {
            each.accept(
                List.of(
                    Integer.toString(g.index()),
                    g.uuid(),
                    g.name(),
                    inv.driverVersion(),
                    g.deployment()));
          }
        });
    windowGauges(out);
    health(out);
    counter(
        out,
        Metrics.SERIES_DROPPED,
        each -> {
          // every guarded family at 0 until it first folds a series
          Map<String, Double> dropped = new TreeMap<>();
          for (Family f : Metrics.PERSISTED_COUNTERS) dropped.put(f.name(), 0.0);
          counters.forEachDropped(dropped::put);
          dropped.forEach((name, v) -> each.accept(Labels.of("metric", name), v));
        });
    info(out, Metrics.BUILD_INFO, each -> each.accept(List.of(build.version(), build.revision())));
    return new MetricSnapshots(out);
  }

  /**
   * Unpriced tokens, plus a 0 for every (provider, service, model, token_type) that has tokens but
   * was never unpriced (self-hosted excepted), so an alert on its rate sees the first unpriced
   * token of a known model.
   */
  private void unpricedWithZeros(BiConsumer<Labels, Double> each) {
    Map<Labels, Double> all = new TreeMap<>();
    List<String> names = Metrics.UNPRICED_TOKENS.labelNames();
    counters.forEachOrdered(
        Metrics.TOKENS,
        (labels, v) -> {
          // self-hosted tokens are priced by GPU time, never unpriced; a folded series names no
          // model
          if (LabelValues.SELF_HOSTED.equals(labels.get(Metrics.PROVIDER))
              || CounterStore.OVERFLOW.equals(labels.get(Metrics.MODEL))) return;
          List<String> values = new ArrayList<>(names.size());
          for (String n : names) values.add(labels.get(n));
          all.putIfAbsent(Labels.of(names, values), 0.0);
        });
    counters.forEachOrdered(Metrics.UNPRICED_TOKENS, all::put);
    all.forEach(each);
  }

  private void windowGauges(List<MetricSnapshot> out) {
    List<GaugeDataPointSnapshot> cost = new ArrayList<>();
    List<GaugeDataPointSnapshot> hit = new ArrayList<>();
    windows.forEach(
        clock.instant(),
        (labels, sums) -> {
          double c = sums.costPer1k();
          if (!Double.isNaN(c))
            cost.add(GaugeDataPointSnapshot.builder().labels(labels).value(usd(c)).build());
          double h = sums.cacheHitRatio();
          if (!Double.isNaN(h))
            hit.add(GaugeDataPointSnapshot.builder().labels(labels).value(h).build());
        });
    if (!cost.isEmpty()) out.add(gaugeSnapshot(Metrics.COST_PER_1K, cost));
    if (!hit.isEmpty()) out.add(gaugeSnapshot(Metrics.CACHE_HIT_RATIO, hit));
  }

  private void health(List<MetricSnapshot> out) {
    Orchestrator o = orchestrator.get();
    List<CollectorHealth> all = o == null ? List.of() : o.health();
    if (all.isEmpty()) return;
    List<GaugeDataPointSnapshot> success = new ArrayList<>(),
        last = new ArrayList<>(),
        duration = new ArrayList<>(),
        processes = new ArrayList<>();
    List<CounterDataPointSnapshot> errors = new ArrayList<>(),
        upstream = new ArrayList<>(),
        apiCost = new ArrayList<>();
    for (CollectorHealth h : all) {
      Labels l = Labels.of(Metrics.COLLECTOR, h.collector());
      success.add(GaugeDataPointSnapshot.builder().labels(l).value(h.success() ? 1 : 0).build());
      if (h.lastSuccessEpochSeconds() > 0)
        last.add(
            GaugeDataPointSnapshot.builder().labels(l).value(h.lastSuccessEpochSeconds()).build());
      if (h.everRan())
        duration.add(
            GaugeDataPointSnapshot.builder().labels(l).value(h.lastDurationSeconds()).build());
      if (h.upstreamProcesses() >= 0)
        processes.add(
            GaugeDataPointSnapshot.builder().labels(l).value(h.upstreamProcesses()).build());
      apiCost.add(CounterDataPointSnapshot.builder().labels(l).value(h.apiCostUsd()).build());
      h.forEachError(
          (reason, n) ->
              errors.add(
                  CounterDataPointSnapshot.builder()
                      .labels(Labels.of(Metrics.COLLECTOR, h.collector(), "reason", reason))
                      .value(n)
                      .build()));
      h.forEachUpstream(
          (op, outcome, n) ->
              upstream.add(
                  CounterDataPointSnapshot.builder()
                      .labels(
                          Labels.of(
                              Metrics.COLLECTOR,
                              h.collector(),
                              "operation",
                              op,
                              "outcome",
                              outcome))
                      .value(n)
                      .build()));
    }
    out.add(gaugeSnapshot(Metrics.COLLECTOR_SUCCESS, success));
    if (!last.isEmpty()) out.add(gaugeSnapshot(Metrics.COLLECTOR_LAST_SUCCESS, last));
    if (!duration.isEmpty()) out.add(gaugeSnapshot(Metrics.COLLECTOR_DURATION, duration));
    if (!errors.isEmpty()) out.add(counterSnapshot(Metrics.COLLECTOR_ERRORS, errors));
    if (!upstream.isEmpty()) out.add(counterSnapshot(Metrics.UPSTREAM_REQUESTS, upstream));
    if (!processes.isEmpty()) out.add(gaugeSnapshot(Metrics.UPSTREAM_PROCESSES, processes));
    out.add(counterSnapshot(Metrics.UPSTREAM_API_COST, apiCost));
  }

  private static void counter(
      List<MetricSnapshot> out, Family f, Consumer<BiConsumer<Labels, Double>> series) {
    List<CounterDataPointSnapshot> points = new ArrayList<>();
    boolean usd = isUsd(f);
    series.accept(
        (labels, v) ->
            points.add(
                CounterDataPointSnapshot.builder().labels(labels).value(usd ? usd(v) : v).build()));
    if (!points.isEmpty()) out.add(counterSnapshot(f, points));
  }

  private static void gauge(
      List<MetricSnapshot> out, Family f, Consumer<BiConsumer<Labels, Double>> series) {
    List<GaugeDataPointSnapshot> points = new ArrayList<>();
    boolean usd = isUsd(f);
    series.accept(
        (labels, v) ->
            points.add(
                GaugeDataPointSnapshot.builder().labels(labels).value(usd ? usd(v) : v).build()));
    if (!points.isEmpty()) out.add(gaugeSnapshot(f, points));
  }

  private static boolean isUsd(Family f) {
    return f.name().contains("_usd");
  }

  /**
   * Dollars and prices as the decimal they stand for: 15 significant digits, which drops the binary
   * noise of sums and quotients (0.30000000000000004, 8.000000000000001E-7) and nothing an estimate
   * could mean. Rounding is monotonic, so counters still never go down.
   */
  static double usd(double v) {
    if (v == 0 || !Double.isFinite(v)) return v;
    return new BigDecimal(v, USD_DIGITS).doubleValue();
  }

  private static void info(
      List<MetricSnapshot> out, Family f, Consumer<Consumer<List<String>>> series) {
    InfoSnapshot.Builder b = InfoSnapshot.builder().name(f.snapshotName()).help(f.help());
    boolean[] any = {false};
    series.accept(
        values -> {
          b.dataPoint(
              InfoSnapshot.InfoDataPointSnapshot.builder()
                  .labels(Labels.of(f.labelNames(), values))
                  .build());
          any[0] = true;
        });
    if (any[0]) out.add(b.build());
  }

  private static CounterSnapshot counterSnapshot(Family f, List<CounterDataPointSnapshot> points) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(f.name()).help(f.help());
    points.forEach(b::dataPoint);
    return b.build();
  }

  private static GaugeSnapshot gaugeSnapshot(Family f, List<GaugeDataPointSnapshot> points) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(f.name()).help(f.help());
    points.forEach(b::dataPoint);
    return b.build();
  }
}
