package dev.aicost;

import dev.aicost.accounting.AccountingSink;
import dev.aicost.accounting.BatchAccountant;
import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.CollectorHealth;
import dev.aicost.collect.Orchestrator;
import dev.aicost.collect.Source;
import dev.aicost.config.ConfigException;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.ExporterConfig;
import dev.aicost.config.RuleConfig;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.demo.Demo;
import dev.aicost.http.ExpositionCache;
import dev.aicost.http.HttpServer;
import dev.aicost.http.JsonApi;
import dev.aicost.http.ReloadResult;
import dev.aicost.http.StatusView;
import dev.aicost.http.WebSecurity;
import dev.aicost.ledger.CounterStore;
import dev.aicost.ledger.Ledger;
import dev.aicost.metrics.BuildInfo;
import dev.aicost.metrics.ExporterCollector;
import dev.aicost.metrics.GaugeStore;
import dev.aicost.metrics.Metrics;
import dev.aicost.metrics.TrailingWindows;
import dev.aicost.pricing.GpuPriceResolver;
import dev.aicost.pricing.LiteLlmPriceFile;
import dev.aicost.pricing.PriceCatalog;
import dev.aicost.pricing.TokenPrice;
import dev.aicost.model.TokenType;
import dev.aicost.collect.SourceException;
import dev.aicost.demo.SimulatedGpus;
import dev.aicost.pricing.EnergyPrice;
import dev.aicost.source.nvml.GpuInventory;
import dev.aicost.source.nvml.NvmlGpuSource;
import dev.aicost.source.nvml.NvmlLibrary;
import dev.aicost.source.vllm.VllmSource;
import java.util.Objects;
import java.util.function.Supplier;
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
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running exporter: the object graph {@link Main} builds. Long-lived parts (ledger, stores,
 * registry, HTTP) stay across reloads; the configured parts (prices, rules, sources) are rebuilt from
 * a validated configuration and swapped in, so a bad new file leaves the old one running.
 */
public final class Exporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Exporter.class);

  /** Everything that comes from outside the configuration file. */
  public record Settings(Path configFile, String listen, String telemetryPath, boolean demo, boolean autodetectVllm,
      WebSecurity web) {}

  /** How old the rendered process_* and jvm_* values can get between collector runs. */
  static final Duration EXPOSITION_REFRESH = Duration.ofSeconds(5);

  private final Settings settings;
  private final Clock clock;
  private final OkHttpClient http;
  private final BuildInfo build = BuildInfo.load();
  private final CounterStore counters;
  private final GaugeStore gauges = new GaugeStore();
  private final TrailingWindows windows;
  private final Ledger ledger;
  private final Orchestrator orchestrator;
  private final ExpositionCache exposition;
  private final AccountingSinkHolder sink = new AccountingSinkHolder();
  private final HttpServer server;
  private final Demo demo;
  private volatile ExporterConfig config;
  private volatile Map<String, String> targets = Map.of();
  private volatile Supplier<GpuInventory> gpuInventory = () -> GpuInventory.EMPTY;
  private volatile boolean ready;

  public Exporter(Settings settings, ExporterConfig config, Clock clock, OkHttpClient http) throws Exception {
    this.settings = settings;
    this.config = config;
    this.clock = clock;
    this.http = http;
    this.counters = new CounterStore(config.limits().maxSeriesPerMetric());
    this.windows = new TrailingWindows(config.trailingWindow());
    this.ledger = new Ledger(Path.of(config.state().path()), counters);
    PrometheusRegistry registry = new PrometheusRegistry();
    this.exposition = new ExpositionCache(registry);
    this.orchestrator = new Orchestrator(clock, sink, exposition::changed);
    this.demo = settings.demo() ? new Demo(config.demo(), clock) : null;

    JvmMetrics.builder().register(registry); // process_* and jvm_*: memory, GC, CPU, threads, start time
    registry.register(new ExporterCollector(clock, counters, gauges, windows, () -> orchestrator, build, () -> gpuInventory.get()));
    JsonApi api = new JsonApi(ledger, statusView(), ZoneId.of(config.timezone()), clock);
    if (demo != null) api.with(demo.api());
    String[] hostPort = splitListen(settings.listen() != null ? settings.listen() : config.server().listen());
    String path = settings.telemetryPath() != null ? settings.telemetryPath() : config.server().telemetryPath();
    this.server = new HttpServer(new HttpServer.Options(hostPort[0], Integer.parseInt(hostPort[1]), path, settings.web()),
        registry, exposition, () -> ready, this::reload, statusView(), api);
  }

  public Exporter start() throws Exception {
    server.start();
    exposition.refreshEvery(EXPOSITION_REFRESH);
    startPipeline(config);
    ready = true;
    log.info("event=started listen=:{} demo={} sources={} ledger={}", server.port(), demo != null, targets.size(), config.state().path());
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

  private void startPipeline(ExporterConfig cfg) throws Exception {
    List<RuleConfig> rules = new ArrayList<>(cfg.attribution().rules());
    List<VllmSourceConfig> vllm = new ArrayList<>(cfg.sources().vllm());
    if (demo != null) {
      rules.addAll(demo.rules());
      vllm.addAll(demo.sources());
    }
    if (vllm.isEmpty() && settings.autodetectVllm()) {
      vllm.add(new VllmSourceConfig("local", "http://127.0.0.1:8000/metrics", null, null, null, null, null, null, null));
      log.info("event=autodetect source=vllm/local url=http://127.0.0.1:8000/metrics hint=\"configure sources.vllm to name deployments and GPUs\"");
    }
    PriceCatalog catalog = PriceCatalog.load(cfg.pricing(), new LiteLlmPriceFile(http));
    GpuPriceResolver gpuPrices = new GpuPriceResolver(cfg.pricing().gpus());
    Map<String, Double> hourly = new LinkedHashMap<>();
    for (VllmSourceConfig v : vllm) if (v.gpuHourlyUsd() != null) hourly.put(v.name(), v.gpuHourlyUsd());

    List<Source> sources = new ArrayList<>();
    Map<String, String> newTargets = new LinkedHashMap<>();
    for (VllmSourceConfig v : vllm) {
      VllmSource s = new VllmSource(v, http, cfg.limits().maxScrapeBytes().bytes(), cfg.limits().maxLabelValueLength());
      sources.add(s);
      newTargets.put(s.name(), s.target());
    }
    Source gpuSource = gpuSource(cfg, vllm);
    Set<String> gpuMetered = new HashSet<>();
    if (gpuSource != null) {
      sources.add(gpuSource);
      newTargets.put(gpuSource.name(), gpuSource instanceof NvmlGpuSource ? "NVML " + Objects.requireNonNullElse(cfg.sources().nvml().library(), "libnvidia-ml.so.1") : "simulated GPUs");
      // NVML's GPUs (by UUID or, when opted in, by process) price these deployments; the demo's by UUID
      gpuMetered.addAll(gpuSource instanceof NvmlGpuSource ? NvmlGpuSource.gpuMetered(vllm) : NvmlGpuSource.deploymentsByGpu(vllm).values());
      gpuInventory = gpuSource instanceof NvmlGpuSource n ? n::inventory : ((SimulatedGpus) gpuSource)::inventory;
    } else {
      gpuInventory = () -> GpuInventory.EMPTY;
    }
    BatchAccountant accountant = new BatchAccountant(catalog, gpuPrices, new AttributionRules(rules), hourly::get,
        cfg.trailingWindow(), gpuMetered, EnergyPrice.from(cfg.pricing().energy()));
    publishPrices(catalog);
    sink.set(new AccountingSink(accountant, ledger, windows, gauges));
    Set<String> names = new HashSet<>();
    for (Source s : sources) {
      names.add(s.name());
      orchestrator.start(s, ledger.checkpoint(s.name()).orElse(null));
    }
    orchestrator.forgetHealthExcept(names);
    targets = newTargets;
  }

  /**
   * The GPU source: the demo's simulated GPUs, else NVML per {@code sources.nvml.enabled}: {@code auto}
   * uses NVML when the library loads (and says once, at info, when it does not), {@code true} keeps
   * trying and reports the failure as collector health, {@code false} never loads it.
   */
  private Source gpuSource(ExporterConfig cfg, List<VllmSourceConfig> vllm) {
    if (demo != null && cfg.sources().nvml().library() == null) return demo.gpuSource();
    switch (cfg.sources().nvml().enabled()) {
      case "false":
        return null;
      case "true":
        return NvmlGpuSource.fromConfig(cfg.sources().nvml(), vllm);
      default:
        try {
          NvmlLibrary lib = NvmlLibrary.load(cfg.sources().nvml().library());
          return NvmlGpuSource.fromConfig(() -> lib, cfg.sources().nvml(), vllm);
        } catch (SourceException e) {
          log.info("event=nvml_unavailable enabled=auto reason={} effect=\"no GPU metrics; deployments priced by gpu_count\"", e.reason());
          return null;
        }
    }
  }

  /**
   * Prices in force now for the built-in catalog and inline overrides (a few hundred series at most);
   * prices from LiteLLM files (thousands of models) appear once usage of that model is priced.
   */
  private void publishPrices(PriceCatalog catalog) {
    gauges.removeWhere(Metrics.PRICE_PER_TOKEN, labels -> true);
    for (TokenPrice p : catalog.currentPrices(clock.instant())) {
      if ("file".equals(p.source())) continue;
      for (TokenType t : TokenType.values()) {
        Double v = p.forType(t);
        if (v != null) gauges.set(Metrics.PRICE_PER_TOKEN, List.of(p.provider(), p.model(), t.label(), p.source()), v);
      }
    }
  }

  /** POST /-/reload: validate and build the new configuration before touching the running one. */
  public synchronized ReloadResult reload() {
    if (settings.configFile() == null) {
      if (settings.web() == null) return new ReloadResult(false, "no --config.file to reload");
      ReloadResult webRejected = reloadWebConfig();
      return webRejected != null ? webRejected : new ReloadResult(true, "web config reloaded (no --config.file to reload)");
    }
    ExporterConfig next;
    try {
      next = new ConfigLoader().load(settings.configFile());
      List<String> priceProblems = PriceCatalog.load(next.pricing(), new LiteLlmPriceFile(http)).problems();
      if (!priceProblems.isEmpty()) throw new ConfigException(priceProblems);
    } catch (ConfigException e) {
      log.warn("event=reload_rejected problems={} first=\"{}\"", e.problems().size(), e.problems().get(0));
      return new ReloadResult(false, "configuration rejected, the previous one keeps running:\n" + String.join("\n", e.problems()));
    } catch (Exception e) {
      log.warn("event=reload_rejected error=\"{}\"", e.getMessage());
      return new ReloadResult(false, "configuration rejected, the previous one keeps running: " + e.getMessage());
    }
    ReloadResult webRejected = reloadWebConfig();
    if (webRejected != null) return webRejected;
    List<String> notReloadable = new ArrayList<>();
    if (!next.state().path().equals(config.state().path())) notReloadable.add("state.path");
    if (!next.server().equals(config.server())) notReloadable.add("server");
    if (!next.limits().maxSeriesPerMetric().equals(config.limits().maxSeriesPerMetric())) notReloadable.add("limits.max_series_per_metric");
    if (!next.trailingWindow().equals(config.trailingWindow())) notReloadable.add("trailing_window");
    orchestrator.stopAll();
    try {
      startPipeline(next);
    } catch (Exception e) {
      log.error("event=reload_failed error=\"{}\" effect=\"restarting previous configuration\"", e.getMessage());
      try {
        startPipeline(config);
      } catch (Exception again) {
        log.error("event=restore_failed error=\"{}\"", again.getMessage());
      }
      return new ReloadResult(false, "reload failed, previous configuration restored: " + e.getMessage());
    }
    config = next;
    exposition.changed();
    String note = notReloadable.isEmpty() ? "" : " (changes to " + String.join(", ", notReloadable) + " apply after a restart)";
    log.info("event=reloaded sources={}{}", targets.size(), note.isEmpty() ? "" : " restart_needed=" + String.join(",", notReloadable));
    return new ReloadResult(true, "configuration reloaded" + note);
  }

  /** Re-reads --web.config.file (users, headers, certificates); null when it took effect or there is none. */
  private ReloadResult reloadWebConfig() {
    if (settings.web() == null) return null;
    try {
      settings.web().reload();
      return null;
    } catch (ConfigException e) {
      log.warn("event=reload_rejected file=web_config problems={} first=\"{}\"", e.problems().size(), e.problems().get(0));
      return new ReloadResult(false, "web config rejected, the previous configuration keeps running:\n" + String.join("\n", e.problems()));
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
        t.put("spend_usd (since the ledger began)", counters.sum(Metrics.SPEND));
        t.put("tokens", counters.sum(Metrics.TOKENS));
        t.put("requests", counters.sum(Metrics.REQUESTS));
        t.put("unpriced tokens", counters.sum(Metrics.UNPRICED_TOKENS));
        return t;
      }
    };
  }

  static String[] splitListen(String listen) {
    int i = listen.lastIndexOf(':');
    String host = listen.substring(0, i);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return new String[] {host.isEmpty() ? "0.0.0.0" : host, listen.substring(i + 1)};
  }

  @Override
  public void close() {
    ready = false;
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
    public void accept(String source, dev.aicost.collect.Batch batch, java.time.Instant now) throws Exception {
      current.accept(source, batch, now);
    }
  }

}
