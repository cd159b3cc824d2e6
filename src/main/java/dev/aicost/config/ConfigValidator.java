package dev.aicost.config;

import dev.aicost.metrics.Metrics;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Checks what the types cannot: every problem is one line starting with its YAML path. */
public final class ConfigValidator {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  private final List<String> problems = new ArrayList<>();

  public List<String> validate(ExporterConfig cfg) {
    problems.clear();
    server(cfg.server());
    if (cfg.state().path().isBlank()) add("state.path", "must not be empty");
    // budgets read the whole month and the weekly review two weeks: shorter would show them too low
    if (cfg.state().retention().compareTo(Duration.ofDays(45)) < 0)
      add("state.retention", "must be at least 45d");
    try {
      ZoneId.of(cfg.timezone());
    } catch (RuntimeException e) {
      add(
          "timezone",
          "unknown time zone \"" + cfg.timezone() + "\" (use an IANA name like Europe/Berlin)");
    }
    positive("trailing_window", cfg.trailingWindow(), Duration.ofSeconds(1));
    problems.addAll(PricingValidation.validate(cfg.pricing(), "pricing"));
    attribution(cfg.attribution());
    vllm(cfg.sources().vllm());
    nvml(cfg.sources().nvml());
    if (cfg.sources().openai() != null) openaiSource(cfg.sources().openai());
    problems.addAll(ManagedApiValidation.validate("sources.anthropic", cfg.sources().anthropic()));
    problems.addAll(AwsSourcesValidation.validate(cfg.sources()));
    budgets(cfg.budgets());
    limits(cfg.limits());
    demo(cfg.demo());
    return List.copyOf(problems);
  }

  private void server(ServerConfig s) {
    try {
      ListenAddress.parse(s.listen());
    } catch (IllegalArgumentException e) {
      add("server.listen", e.getMessage());
    }
    if (!s.telemetryPath().startsWith("/")) add("server.telemetry_path", "must start with /");
    if (s.webConfigFile() != null && s.webConfigFile().isBlank())
      add("server.web_config_file", "must not be empty");
    positive("server.read_header_timeout", s.readHeaderTimeout(), Duration.ofMillis(100));
  }

  private void attribution(AttributionConfig a) {
    for (int i = 0; i < a.rules().size(); i++) {
      RuleConfig r = a.rules().get(i);
      String p = "attribution.rules[" + i + "]";
      if (r == null) {
        add(p, "must be a mapping with match and set");
        continue;
      }
      if (r.match().isEmpty())
        add(
            p + ".match",
            "must name at least one source id (provider, ai_service, deployment, model, ...)");
      if (r.set().isEmpty())
        add(p + ".set", "must set at least one of " + String.join(", ", Metrics.ATTRIBUTION));
      matchValues(p + ".match", r.match());
      for (Map.Entry<String, String> e : r.set().entrySet()) {
        if (!Metrics.ATTRIBUTION.contains(e.getKey())) {
          add(
              p + ".set." + e.getKey(),
              "unknown tag (allowed: " + String.join(", ", Metrics.ATTRIBUTION) + ")");
        } else if (e.getValue() == null || e.getValue().length() > 128) {
          add(p + ".set." + e.getKey(), "must be a string of at most 128 characters");
        }
      }
    }
  }

  private void vllm(List<VllmSourceConfig> list) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      VllmSourceConfig v = list.get(i);
      String p = "sources.vllm[" + i + "]";
      if (v == null) {
        add(p, "must be a mapping with name and url");
        continue;
      }
      if (v.name() == null) {
        add(p + ".name", "required (it becomes the deployment label)");
      } else if (!NAME.matcher(v.name()).matches()) {
        add(p + ".name", "must be 1-63 characters of letters, digits, '_', '.', '-'");
      } else if (!names.add(v.name())) {
        add(p + ".name", "duplicate deployment name \"" + v.name() + "\"");
      }
      if (v.url() == null) add(p + ".url", "required");
      else if (!isHttpUrl(v.url())) add(p + ".url", "not an http(s) URL: \"" + v.url() + "\"");
      positive(p + ".interval", v.interval(), MIN_INTERVAL);
      positive(p + ".timeout", v.timeout(), MIN_INTERVAL);
      if (v.interval() != null
          && v.processExpiry() != null
          && v.processExpiry().compareTo(v.interval().multipliedBy(10)) < 0) {
        add(
            p + ".process_expiry",
            "must be at least 10 intervals ("
                + Durations.format(v.interval().multipliedBy(10))
                + "): a replica unseen for longer is forgotten, and its whole count is booked again when it next answers");
      }
      if (v.gpuCount() < 0 || v.gpuCount() > 1024)
        add(p + ".gpu_count", "must be between 0 and 1024");
      if (v.gpuHourlyUsd() != null && !(v.gpuHourlyUsd() >= 0))
        add(p + ".gpu_hourly_usd", "must be >= 0");
      for (int g = 0; g < v.gpus().size(); g++) {
        String uuid = v.gpus().get(g);
        if (uuid == null || !(uuid.startsWith("GPU-") || uuid.startsWith("MIG-"))) {
          add(p + ".gpus[" + g + "]", "must be a GPU UUID as NVML reports it (GPU-... or MIG-...)");
        }
      }
      if (v.process() != null) process(p, v);
    }
  }

  private void process(String p, VllmSourceConfig v) {
    ProcessMatchConfig m = v.process();
    if (!m.enabled()) {
      add(p + ".process", "needs port_owner: true or cmdline");
      return;
    }
    if (m.cmdline() != null) {
      if (m.cmdline().isBlank()) {
        add(p + ".process.cmdline", "must not be empty");
      } else {
        try {
          Pattern.compile(m.cmdline());
        } catch (PatternSyntaxException e) {
          add(
              p + ".process.cmdline",
              "not a valid regular expression: "
                  + e.getDescription()
                  + " near index "
                  + e.getIndex());
        }
      }
    }
    if (m.byPortOwner() && v.url() != null && isHttpUrl(v.url())) {
      String host = URI.create(v.url()).getHost();
      if (!isLocalHost(host)) {
        add(
            p + ".process.port_owner",
            "the url's host must be local (127.0.0.1, localhost, ::1, 0.0.0.0 or this host's name), got \""
                + host
                + "\"");
      }
    }
  }

  /**
   * The loopback and wildcard addresses, and this host's own name (from the kernel, no DNS lookup).
   */
  static boolean isLocalHost(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    h = h.toLowerCase(java.util.Locale.ROOT);
    if (Set.of("127.0.0.1", "localhost", "::1", "0:0:0:0:0:0:0:1", "0.0.0.0", "::").contains(h))
      return true;
    String own = hostName();
    return !own.isEmpty() && (h.equals(own) || h.startsWith(own + ".") || own.startsWith(h + "."));
  }

  private static String hostName() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname"))
          .trim()
          .toLowerCase(java.util.Locale.ROOT);
    } catch (java.io.IOException | RuntimeException e) {
      String env = System.getenv("HOSTNAME");
      return env != null ? env.trim().toLowerCase(java.util.Locale.ROOT) : "";
    }
  }

  private void nvml(NvmlConfig n) {
    if (!Set.of("auto", "true", "false").contains(n.enabled()))
      add("sources.nvml.enabled", "must be auto, true or false");
    if (n.library() != null && n.library().isBlank())
      add("sources.nvml.library", "must not be empty");
    positive("sources.nvml.sample_interval", n.sampleInterval(), MIN_INTERVAL);
  }

  private void budgets(List<BudgetConfig> list) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      BudgetConfig b = list.get(i);
      String p = "budgets[" + i + "]";
      if (b == null) {
        add(p, "must be a mapping with name and monthly_usd");
        continue;
      }
      if (b.name() == null || !NAME.matcher(b.name()).matches())
        add(p + ".name", "required: letters, digits, '_', '.', '-'");
      else if (!names.add(b.name())) add(p + ".name", "duplicate budget \"" + b.name() + "\"");
      matchValues(p + ".match", b.match());
      // a misspelt key would match nothing and show the budget as $0 spent
      for (String key : b.match().keySet())
        if (!Metrics.SPEND.labelNames().contains(key))
          add(
              p + ".match." + key,
              "not a label of aicost_spend_usd; one of " + Metrics.SPEND.labelNames());
      if (b.monthlyUsd() == null || !(b.monthlyUsd() > 0))
        add(p + ".monthly_usd", "required, must be > 0");
    }
  }

  private void limits(LimitsConfig l) {
    if (l.maxSeriesPerMetric() < 1) add("limits.max_series_per_metric", "must be >= 1");
    if (l.maxScrapeBytes().bytes() < 1024) add("limits.max_scrape_bytes", "must be at least 1KiB");
    if (l.maxLabelValueLength() < 16) add("limits.max_label_value_length", "must be >= 16");
    if (l.maxModelsPerSource() < 1 || l.maxModelsPerSource() > 100_000)
      add("limits.max_models_per_source", "must be between 1 and 100000");
  }

  private void demo(DemoConfig d) {
    positive("demo.interval", d.interval(), MIN_INTERVAL);
    if (d.deployments() < 1 || d.deployments() > 3)
      add("demo.deployments", "must be between 1 and 3");
    positive("demo.restart_every", d.restartEvery(), Duration.ofSeconds(1));
  }

  /** {@code sources.openai}: exactly one key origin, a usage bucket width the API serves. */
  private void openaiSource(ManagedApiSourceConfig o) {
    String p = "sources.openai";
    boolean env = o.adminKeyEnv() != null, file = o.adminKeyFile() != null;
    if (env == file)
      add(
          p,
          "needs exactly one of admin_key_env (an environment variable's name) or admin_key_file"
              + (env ? " (both are set)" : ""));
    if (env && !o.adminKeyEnv().matches("[A-Za-z_][A-Za-z0-9_]*"))
      add(p + ".admin_key_env", "must be an environment variable's name, not the key itself");
    if (file && o.adminKeyFile().isBlank()) add(p + ".admin_key_file", "must not be empty");
    if (o.baseUrl() != null && !isHttpUrl(o.baseUrl()))
      add(p + ".base_url", "not an http(s) URL: \"" + Secrets.redact(o.baseUrl()) + "\"");
    if (!Set.of("1m", "1h").contains(o.bucketWidth())) add(p + ".bucket_width", "must be 1m or 1h");
    positive(p + ".interval", o.interval(), Duration.ofSeconds(10));
    positive(p + ".timeout", o.timeout(), MIN_INTERVAL);
    positive(
        p + ".window",
        o.window(),
        "1m".equals(o.bucketWidth()) ? Duration.ofMinutes(1) : Duration.ofHours(1));
    if (o.backfill().isNegative()) add(p + ".backfill", "must not be negative");
  }

  private void positive(String path, Duration d, Duration min) {
    if (d.compareTo(min) < 0) add(path, "must be at least " + Durations.format(min));
  }

  private static boolean isHttpUrl(String s) {
    try {
      URI u = new URI(s);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * A {@code match:} entry with nothing after its key ({@code deployment:}) is named, not ignored.
   */
  private void matchValues(String path, Map<String, String> match) {
    match.forEach(
        (key, value) -> {
          if (value == null) add(path + "." + key, "must be a string");
        });
  }

  private void add(String path, String message) {
    problems.add(path + ": " + message);
  }
}
