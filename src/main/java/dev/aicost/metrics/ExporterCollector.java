package dev.aicost.metrics;

import dev.aicost.collect.CollectorHealth;
import dev.aicost.collect.Orchestrator;
import dev.aicost.ledger.CounterStore;
import dev.aicost.source.nvml.GpuInventory;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Builds every {@code aicost_*} family from in-memory state on each scrape. It reads, never waits:
 * no upstream call and no disk I/O happen here, whatever the sources are doing.
 */
public final class ExporterCollector implements MultiCollector {
  private final Clock clock;
  private final CounterStore counters;
  private final GaugeStore gauges;
  private final TrailingWindows windows;
  private final Supplier<Orchestrator> orchestrator;
  private final BuildInfo build;
  private final Supplier<GpuInventory> gpuInventory;

  public ExporterCollector(Clock clock, CounterStore counters, GaugeStore gauges, TrailingWindows windows,
      Supplier<Orchestrator> orchestrator, BuildInfo build, Supplier<GpuInventory> gpuInventory) {
    this.gpuInventory = gpuInventory;
    this.clock = clock;
    this.counters = counters;
    this.gauges = gauges;
    this.windows = windows;
    this.orchestrator = orchestrator;
    this.build = build;
  }

  @Override
  public MetricSnapshots collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    for (Family f : Metrics.PERSISTED_COUNTERS) counter(out, f, counters::forEach);
    for (Family f : List.of(Metrics.PRICE_PER_TOKEN, Metrics.GPU_PRICE, Metrics.GPU_UTILIZATION, Metrics.GPU_UTILIZATION_KNOWN, Metrics.GPU_POWER,
        Metrics.GPU_MEMORY_USED, Metrics.GPU_MEMORY_TOTAL, Metrics.BUDGET, Metrics.BUDGET_MTD, Metrics.BUDGET_FORECAST,
        Metrics.BUDGET_VARIANCE, Metrics.BILLED, Metrics.RECONCILIATION_DRIFT)) {
      gauge(out, f, (fam, action) -> gauges.forEach(fam, action));
    }
    info(out, Metrics.GPU_INFO, action -> {
      GpuInventory inv = gpuInventory.get();
      for (GpuInventory.Gpu g : inv.gpus()) {
        action.accept(List.of(Integer.toString(g.index()), g.uuid(), g.name(), inv.driverVersion(), g.deployment()));
      }
    });
    windowGauges(out);
    health(out);
    counter(out, Metrics.SERIES_DROPPED, (f, action) -> counters.forEachDropped((name, v) -> action.accept(List.of(name), v)));
    info(out, Metrics.BUILD_INFO, action -> action.accept(List.of(build.version(), build.revision())));
    return new MetricSnapshots(out);
  }

  private void windowGauges(List<MetricSnapshot> out) {
    Instant now = clock.instant();
    GaugeSnapshot.Builder cost = GaugeSnapshot.builder().name(Metrics.COST_PER_1K.name()).help(Metrics.COST_PER_1K.help());
    GaugeSnapshot.Builder hit = GaugeSnapshot.builder().name(Metrics.CACHE_HIT_RATIO.name()).help(Metrics.CACHE_HIT_RATIO.help());
    String[] names = Metrics.COST_PER_1K.labelNames().toArray(String[]::new);
    boolean[] any = {false, false};
    windows.forEach(now, (key, sums) -> {
      Labels labels = Labels.of(names, key.toArray(String[]::new));
      double c = sums.costPer1k();
      if (!Double.isNaN(c)) {
        cost.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(c).build());
        any[0] = true;
      }
      double h = sums.cacheHitRatio();
      if (!Double.isNaN(h)) {
        hit.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(h).build());
        any[1] = true;
      }
    });
    if (any[0]) out.add(cost.build());
    if (any[1]) out.add(hit.build());
  }

  private void health(List<MetricSnapshot> out) {
    Orchestrator o = orchestrator.get();
    if (o == null) return;
    List<CollectorHealth> all = o.health();
    String[] c = {Metrics.COLLECTOR};
    GaugeSnapshot.Builder success = gaugeBuilder(Metrics.COLLECTOR_SUCCESS);
    GaugeSnapshot.Builder last = gaugeBuilder(Metrics.COLLECTOR_LAST_SUCCESS);
    GaugeSnapshot.Builder duration = gaugeBuilder(Metrics.COLLECTOR_DURATION);
    CounterSnapshot.Builder errors = counterBuilder(Metrics.COLLECTOR_ERRORS);
    CounterSnapshot.Builder upstream = counterBuilder(Metrics.UPSTREAM_REQUESTS);
    CounterSnapshot.Builder apiCost = counterBuilder(Metrics.UPSTREAM_API_COST);
    boolean anyErrors = false, anyUpstream = false;
    for (CollectorHealth h : all) {
      Labels l = Labels.of(c, new String[] {h.collector()});
      success.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(h.success() ? 1 : 0).build());
      if (h.lastSuccessEpochSeconds() > 0) {
        last.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(h.lastSuccessEpochSeconds()).build());
      }
      if (h.everRan()) duration.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(h.lastDurationSeconds()).build());
      apiCost.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(h.apiCostUsd()).build());
      List<CounterDataPointSnapshot> e = new ArrayList<>();
      h.forEachError((reason, n) -> e.add(CounterDataPointSnapshot.builder()
          .labels(Labels.of(new String[] {Metrics.COLLECTOR, "reason"}, new String[] {h.collector(), reason})).value(n).build()));
      e.forEach(errors::dataPoint);
      anyErrors |= !e.isEmpty();
      List<CounterDataPointSnapshot> u = new ArrayList<>();
      h.forEachUpstream((op, outcome, n) -> u.add(CounterDataPointSnapshot.builder()
          .labels(Labels.of(new String[] {Metrics.COLLECTOR, "operation", "outcome"}, new String[] {h.collector(), op, outcome})).value(n).build()));
      u.forEach(upstream::dataPoint);
      anyUpstream |= !u.isEmpty();
    }
    if (all.isEmpty()) return;
    out.add(success.build());
    out.add(last.build());
    out.add(duration.build());
    if (anyErrors) out.add(errors.build());
    if (anyUpstream) out.add(upstream.build());
    out.add(apiCost.build());
  }

  private static GaugeSnapshot.Builder gaugeBuilder(Family f) {
    return GaugeSnapshot.builder().name(f.name()).help(f.help());
  }

  private static CounterSnapshot.Builder counterBuilder(Family f) {
    return CounterSnapshot.builder().name(f.name()).help(f.help());
  }

  private static void counter(List<MetricSnapshot> out, Family f, BiConsumer<Family, BiConsumer<List<String>, Double>> source) {
    String[] names = f.labelNames().toArray(String[]::new);
    CounterSnapshot.Builder b = counterBuilder(f);
    boolean[] any = {false};
    source.accept(f, (labels, v) -> {
      b.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of(names, labels.toArray(String[]::new))).value(v).build());
      any[0] = true;
    });
    if (any[0]) out.add(b.build());
  }

  private static void gauge(List<MetricSnapshot> out, Family f, BiConsumer<Family, BiConsumer<List<String>, Double>> source) {
    String[] names = f.labelNames().toArray(String[]::new);
    GaugeSnapshot.Builder b = gaugeBuilder(f);
    boolean[] any = {false};
    source.accept(f, (labels, v) -> {
      b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of(names, labels.toArray(String[]::new))).value(v).build());
      any[0] = true;
    });
    if (any[0]) out.add(b.build());
  }

  private static void info(List<MetricSnapshot> out, Family f, java.util.function.Consumer<java.util.function.Consumer<List<String>>> source) {
    String[] names = f.labelNames().toArray(String[]::new);
    InfoSnapshot.Builder b = InfoSnapshot.builder().name(f.name()).help(f.help());
    boolean[] any = {false};
    source.accept(labels -> {
      b.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of(names, labels.toArray(String[]::new))).build());
      any[0] = true;
    });
    if (any[0]) out.add(b.build());
  }
}
