package dev.aicost;

import dev.aicost.accounting.AccountingSink;
import dev.aicost.accounting.BatchAccountant;
import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.CollectorHealth;
import dev.aicost.collect.GpuSource;
import dev.aicost.collect.Orchestrator;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.ConfigException;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.ExporterConfig;
import dev.aicost.config.ListenAddress;
import dev.aicost.config.RuleConfig;
import dev.aicost.config.Secrets;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.demo.Demo;
import dev.aicost.exposition.ExporterCollector;
import dev.aicost.exposition.PriceGauges;
import dev.aicost.http.ExpositionCache;
import dev.aicost.http.HttpServer;
import dev.aicost.http.JsonApi;
import dev.aicost.http.ReloadResult;
import dev.aicost.http.StatusView;
import dev.aicost.http.WebSecurity;
import dev.aicost.ledger.Ledger;
import dev.aicost.metrics.BuildInfo;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.GpuInventory;
import dev.aicost.pricing.EnergyPrice;
import dev.aicost.pricing.GpuPriceResolver;
import dev.aicost.pricing.LiteLlmPriceFile;
import dev.aicost.pricing.PriceCatalog;
import dev.aicost.pricing.PriceHistory;
import dev.aicost.store.CounterStore;
import dev.aicost.store.GaugeStore;
import dev.aicost.store.SeriesLimit;
import dev.aicost.store.TrailingWindows;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running exporter: the object graph {@link Main} builds. Long-lived parts (ledger, stores,
 * registry, HTTP) stay across reloads; the configured parts (prices, rules, sources) are rebuilt
 * from a validated configuration and swapped in, so a bad new file leaves the old one running.
 */
public final class Exporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Exporter.class);

  /** Everything that comes from outside the configuration file. */
  public record Settings(
      Path configFile,
      String listen,
      String telemetryPath,
      boolean demo,
      boolean autodetectVllm,
      WebSecurity web,
      boolean enableLifecycle) {}

  /** How old the rendered process_* and jvm_* values can get between collector runs. */
  static final Duration EXPOSITION_REFRESH = Duration.ofSeconds(5);

  private final Settings settings;
  private final Clock clock;
  private final OkHttpClient http;
  private final BuildInfo build = BuildInfo.load();
  private final CounterStore counters;
  private final GaugeStore gauges;
  private final TrailingWindows windows;
  private final PriceHistory prices = new PriceHistory();
  private final Ledger ledger;
  private final Orchestrator orchestrator;
  private final ExpositionCache exposition;
  private final AccountingSinkHolder sink = new AccountingSinkHolder();
  private final HttpServer server;
  private final Demo demo;
  private final ReloadQueue reloads = new ReloadQueue(this::reload, this::recordReload);
  private volatile ExporterConfig config;
  private volatile Map<String, String> targets = Map.of();
  private volatile Supplier<GpuInventory> gpuInventory = () -> GpuInventory.EMPTY;
  private volatile boolean ready;
  private final java.time.Instant startedAt;
  private volatile StatusView.Reload lastReload;
  private volatile PriceCatalog
      runningCatalog; // of `config`, for restoring it when a reload fails half-way

  public Exporter(Settings settings, ExporterConfig config, Clock clock, OkHttpClient http)
      throws Exception {
    this.settings = settings;
    this.config = config;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.http = http;
    SeriesLimit limit =
        new SeriesLimit(
            config.limits().maxSeriesPerMetric()); // one cap and one drop count for every store
    this.counters = new CounterStore(limit);
    this.gauges = new GaugeStore(limit);
    this.windows = new TrailingWindows(config.trailingWindow(), limit);
    this.ledger = new Ledger(Path.of(config.state().path()), counters);
    try {
      PrometheusRegistry registry = new PrometheusRegistry();
      this.exposition = new ExpositionCache(registry);
      this.orchestrator = new Orchestrator(clock, sink, exposition::changed);
      this.demo = settings.demo() ? new Demo(config.demo(), clock) : null;

      JvmMetrics.builder()
          .register(registry); // process_* and jvm_*: memory, GC, CPU, threads, start time
      PriceGauges priceGauges =
          new PriceGauges(
              counters, () -> prices.isEmpty() ? null : prices.current().catalog(), clock);
      registry.register(
          new ExporterCollector(
              clock,
              counters,
              gauges,
              windows,
              priceGauges,
              () -> orchestrator,
              build,
              () -> gpuInventory.get()));
      JsonApi api =
          new JsonApi(ledger, statusView(), () -> ZoneId.of(this.config.timezone()), clock);
      if (demo != null) api.with(demo.api());
      ListenAddress listen =
          ListenAddress.parse(
              settings.listen() != null ? settings.listen() : config.server().listen());
      String path =
          settings.telemetryPath() != null
              ? settings.telemetryPath()
              : config.server().telemetryPath();
      this.server =
          new HttpServer(
              new HttpServer.Options(
                  listen.host(),
                  listen.port(),
                  path,
                  settings.web(),
                  config.server().readHeaderTimeout()),
              registry,
              exposition,
              () -> ready,
              settings.enableLifecycle() ? this::requestReload : null,
              statusView(),
              api);
    } catch (RuntimeException e) {
      ledger.close(); // release the ledger's lock for whoever tries next
      throw e;
    }
  }

  public Exporter start() throws Exception {
    try {
      server.start();
      exposition.refreshEvery(EXPOSITION_REFRESH);
      startPipeline(config, PriceCatalog.load(config.pricing(), new LiteLlmPriceFile(http)));
    } catch (Exception | Error e) {
      close();
      throw e;
    }
    recordReload(
        new ReloadResult(true, "started")); // as Prometheus: the start-up load is the first reload
    reloads.start();
    ready = true;
    log.info(
        "event=started listen={} demo={} sources={} ledger={}",
        server.boundAddress(),
        demo != null,
        targets.size(),
        config.state().path());
    return this;
  }

  public int port() {
    return server.port();
  }

  public CounterStore counters() {
    return counters;
  }

  public Orchestrator orchestrator() {
    return orchestrator;
  }

  public Demo demo() {
    return demo;
  }

  /**
   * @param catalog built from {@code cfg.pricing()} by the caller (a reload validates it first: one
   *     download per file)
   */
  private void startPipeline(ExporterConfig cfg, PriceCatalog catalog) throws Exception {
    List<RuleConfig> rules = new ArrayList<>(cfg.attribution().rules());
    List<VllmSourceConfig> vllm = new ArrayList<>(cfg.sources().vllm());
    if (demo != null) {
      rules.addAll(demo.rules());
      vllm.addAll(demo.sources());
    }
    if (vllm.isEmpty() && settings.autodetectVllm()) {
      vllm.add(VllmSourceConfig.of("local", "http://127.0.0.1:8000/metrics"));
      log.info(
          "event=autodetect source=vllm/local url=http://127.0.0.1:8000/metrics hint=\"configure sources.vllm to name deployments and GPUs\"");
    }
    Map<String, Integer> gpuCounts = new LinkedHashMap<>();
    for (VllmSourceConfig v : vllm) gpuCounts.put(v.name(), v.gpuCount());

    List<Source> sources = new ArrayList<>();
    SourceSetup setup = new SourceSetup(cfg, vllm, http);
    for (SourceKind kind : SourceRegistry.kinds(demo, cfg.sources().nvml().library()))
      sources.addAll(kind.create(setup));
    Map<String, String> newTargets = new LinkedHashMap<>();
    Set<String> gpuMetered = new HashSet<>();
    Supplier<GpuInventory> inventory = () -> GpuInventory.EMPTY;
    for (Source s : sources) {
      newTargets.put(s.name(), s.target());
      if (s instanceof GpuSource g) {
        gpuMetered.addAll(
            g.meteredDeployments()); // measured GPU time prices these deployments, not gpu_count
        inventory = g::inventory;
      }
    }
    gpuInventory = inventory;
    // prices take effect now: an interval that straddles this moment is priced part old, part new
    // (a deployment's gpu_hourly_usd travels in its records, see PriceHistory)
    prices.adopt(clock.instant(), catalog, new GpuPriceResolver(cfg.pricing().gpus()));
    BatchAccountant accountant =
        new BatchAccountant(
            prices,
            new AttributionRules(rules),
            d -> gpuCounts.getOrDefault(d, 0),
            gpuMetered,
            EnergyPrice.from(cfg.pricing().energy()));
    sink.set(new AccountingSink(accountant, ledger, windows, gauges));
    Set<String> names = new HashSet<>();
    for (Source s : sources) {
      names.add(s.name());
      orchestrator.start(s, ledger.checkpoint(s.name()).orElse(null));
    }
    orchestrator.forgetHealthExcept(names);
    targets = newTargets;
    runningCatalog = catalog;
  }

  /**
   * Asks for a reload (SIGHUP, POST /-/reload) without waiting: the result is that of the next
   * reload to start, which several requests may share.
   */
  public CompletableFuture<ReloadResult> requestReload() {
    return reloads.request();
  }

  /** Reloads run since start (coalesced requests count once). */
  public long reloadsRun() {
    return reloads.runs();
  }

  private void recordReload(ReloadResult r) {
    lastReload = new StatusView.Reload(r.ok(), clock.instant(), r.message());
    gauges.set(Metrics.CONFIG_RELOAD_SUCCESS, List.of(), r.ok() ? 1 : 0);
    if (r.ok()) gauges.set(Metrics.CONFIG_RELOAD_SUCCESS_TIME, List.of(), clock.millis() / 1000.0);
    exposition.changed();
  }

  /**
   * One reload, on the reload thread only: validate and build the new configuration before touching
   * the running one.
   */
  private ReloadResult reload() {
    if (settings.configFile() == null) {
      if (settings.web() == null) return new ReloadResult(false, "no --config.file to reload");
      ReloadResult webRejected = reloadWebConfig();
      return webRejected != null
          ? webRejected
          : new ReloadResult(true, "web config reloaded (no --config.file to reload)");
    }
    ExporterConfig next;
    PriceCatalog nextCatalog;
    try {
      next = new ConfigLoader().load(settings.configFile());
      nextCatalog = PriceCatalog.load(next.pricing(), new LiteLlmPriceFile(http));
      if (!nextCatalog.problems().isEmpty()) throw new ConfigException(nextCatalog.problems());
    } catch (ConfigException e) {
      log.warn(
          "event=reload_rejected problems={} first=\"{}\"",
          e.problems().size(),
          e.problems().get(0));
      return new ReloadResult(
          false,
          "configuration rejected, the previous one keeps running:\n"
              + String.join("\n", e.problems()));
    } catch (Exception e) {
      String error = Secrets.redact(e.getMessage());
      log.warn("event=reload_rejected error=\"{}\"", error);
      return new ReloadResult(
          false, "configuration rejected, the previous one keeps running: " + error);
    }
    ReloadResult webRejected = reloadWebConfig();
    if (webRejected != null) return webRejected;
    List<String> notReloadable = new ArrayList<>();
    if (!next.state().path().equals(config.state().path())) notReloadable.add("state.path");
    if (!next.server().equals(config.server())) notReloadable.add("server");
    if (!next.limits().maxSeriesPerMetric().equals(config.limits().maxSeriesPerMetric()))
      notReloadable.add("limits.max_series_per_metric");
    if (!next.trailingWindow().equals(config.trailingWindow()))
      notReloadable.add("trailing_window");
    orchestrator.stopAll();
    try {
      startPipeline(next, nextCatalog);
    } catch (Exception e) {
      String error = Secrets.redact(e.getMessage());
      log.error(
          "event=reload_failed error=\"{}\" effect=\"restarting previous configuration\"", error);
      try {
        startPipeline(config, runningCatalog);
      } catch (Exception again) {
        log.error("event=restore_failed error=\"{}\"", Secrets.redact(again.getMessage()));
      }
      return new ReloadResult(false, "reload failed, previous configuration restored: " + error);
    }
    config = next;
    exposition.changed();
    String note =
        notReloadable.isEmpty()
            ? ""
            : " (changes to " + String.join(", ", notReloadable) + " apply after a restart)";
    log.info(
        "event=reloaded sources={}{}",
        targets.size(),
        note.isEmpty() ? "" : " restart_needed=" + String.join(",", notReloadable));
    return new ReloadResult(true, "configuration reloaded" + note);
  }

  /**
   * Re-reads --web.config.file (users, headers, certificates); null when it took effect or there is
   * none.
   */
  private ReloadResult reloadWebConfig() {
    if (settings.web() == null) return null;
    try {
      settings.web().reload();
      return null;
    } catch (ConfigException e) {
      log.warn(
          "event=reload_rejected file=web_config problems={} first=\"{}\"",
          e.problems().size(),
          e.problems().get(0));
      return new ReloadResult(
          false,
          "web config rejected, the previous configuration keeps running:\n"
              + String.join("\n", e.problems()));
    }
  }

  private StatusView statusView() {
    return new StatusView() {
      @Override
      public List<CollectorHealth> collectors() {
        return orchestrator.health();
      }

      @Override
      public Map<String, String> targets() {
        return targets;
      }

      @Override
      public boolean demo() {
        return demo != null;
      }

      @Override
      public String version() {
        return build.version();
      }

      @Override
      public String configFile() {
        return settings.configFile() == null ? null : settings.configFile().toString();
      }

      @Override
      public Map<String, Double> totals() {
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("spend_usd", counters.sum(Metrics.SPEND));
        t.put("tokens", counters.sum(Metrics.TOKENS));
        t.put("requests", counters.sum(Metrics.REQUESTS));
        t.put("unpriced_tokens", counters.sum(Metrics.UNPRICED_TOKENS));
        return t;
      }

      @Override
      public java.time.Instant now() {
        return clock.instant();
      }

      @Override
      public java.time.Instant startedAt() {
        return startedAt;
      }

      @Override
      public Reload lastReload() {
        return lastReload;
      }

      @Override
      public String ledgerPath() {
        return config.state().path();
      }

      @Override
      public long ledgerBytes() {
        long n = 0;
        for (String suffix : List.of("", "-wal")) {
          try {
            n += java.nio.file.Files.size(Path.of(config.state().path() + suffix));
          } catch (java.io.IOException | RuntimeException e) {
            if (suffix.isEmpty()) return -1;
          }
        }
        return n;
      }

      @Override
      public List<Gpu> gpus() {
        Map<String, String> names = new java.util.HashMap<>();
        for (GpuInventory.Gpu g : gpuInventory.get().gpus()) names.put(g.uuid(), g.name());
        List<Gpu> out = new ArrayList<>();
        gauges.forEach(
            Metrics.GPU_PRICE,
            (labels, usd) ->
                out.add(
                    new Gpu(
                        labels.get("gpu"),
                        labels.get("uuid"),
                        names.getOrDefault(labels.get("uuid"), ""),
                        labels.get(Metrics.DEPLOYMENT),
                        usd,
                        labels.get("price_source"))));
        return out;
      }

      @Override
      public double demoLoadFactor() {
        return demo == null ? Double.NaN : demo.loadFactor();
      }
    };
  }

  @Override
  public void close() {
    ready = false;
    reloads.close();
    orchestrator.close();
    server.close();
    exposition.close();
    if (demo != null) demo.close();
    ledger.close();
  }

  /** Lets reload swap the accounting without restarting the orchestrator. */
  private static final class AccountingSinkHolder implements dev.aicost.collect.BatchSink {
    private volatile AccountingSink current;

    void set(AccountingSink s) {
      current = s;
    }

    @Override
    public void accept(String source, dev.aicost.collect.Batch batch, java.time.Instant now)
        throws dev.aicost.collect.SinkException {
      current.accept(source, batch, now);
    }
  }
}
