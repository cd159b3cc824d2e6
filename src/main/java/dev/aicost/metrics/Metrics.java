package dev.aicost.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The metric contract (docs/metrics.md): every family the exporter exposes, in one place. Counter
 * names are given without {@code _total}; the exposition adds it.
 */
public final class Metrics {
  private Metrics() {}

  public static final String PROVIDER = "provider";
  public static final String SERVICE = "ai_service";
  public static final String DEPLOYMENT = "deployment";
  public static final String MODEL = "model";
  public static final String TOKEN_TYPE = "token_type";
  public static final String CATEGORY = "category";
  public static final String COLLECTOR = "collector";

  /** Attribution labels on every usage and spend series, in this order. */
  public static final List<String> ATTRIBUTION =
      List.of("team", "project", "app_env", "cost_center", "feature");

  private static List<String> withAttribution(String... labels) {
    List<String> all = new ArrayList<>(List.of(labels));
    all.addAll(ATTRIBUTION);
    return all;
  }

  // usage and spend
  public static final Family TOKENS =
      new Family(
          "aicost_tokens",
          FamilyType.COUNTER,
          "Tokens processed, by token type: input (uncached prompt), cache_read, cache_write, output. Types are mutually exclusive.",
          withAttribution(PROVIDER, SERVICE, DEPLOYMENT, MODEL, TOKEN_TYPE));
  public static final Family REQUESTS =
      new Family(
          "aicost_requests",
          FamilyType.COUNTER,
          "Requests completed, as reported by the source.",
          withAttribution(PROVIDER, SERVICE, DEPLOYMENT, MODEL));
  public static final Family SPEND =
      new Family(
          "aicost_spend_usd",
          FamilyType.COUNTER,
          "Estimated spend in US dollars; token_type is empty for non-token spend (GPU time, energy).",
          withAttribution(PROVIDER, SERVICE, CATEGORY, DEPLOYMENT, MODEL, TOKEN_TYPE));
  public static final Family UNPRICED_TOKENS =
      new Family(
          "aicost_unpriced_tokens",
          FamilyType.COUNTER,
          "Tokens for which no price was found; they are counted in aicost_tokens_total but add no dollars.",
          List.of(PROVIDER, SERVICE, MODEL, TOKEN_TYPE));
  public static final Family COST_PER_1K =
      new Family(
          "aicost_cost_per_1k_tokens_usd",
          FamilyType.GAUGE,
          "US dollars per 1000 tokens (all types) over the trailing window, = rate(spend)/rate(tokens); self-hosted includes idle GPU time. Absent below 1000 tokens in the window or when any of its cost is unknown.",
          withAttribution(PROVIDER, SERVICE, DEPLOYMENT, MODEL));
  public static final Family CACHE_HIT_RATIO =
      new Family(
          "aicost_cache_hit_ratio",
          FamilyType.GAUGE,
          "Cache-read tokens / prompt tokens over the trailing window (0..1).",
          withAttribution(PROVIDER, SERVICE, DEPLOYMENT, MODEL));
  public static final Family PRICE_PER_TOKEN =
      new Family(
          "aicost_price_usd_per_token",
          FamilyType.GAUGE,
          "Price in force now, US dollars per token, and where it came from (builtin, config, file), for models that have been used.",
          List.of(PROVIDER, MODEL, TOKEN_TYPE, "price_source"));

  // GPUs
  public static final Family GPU_INFO =
      new Family(
          "aicost_gpu_info",
          FamilyType.INFO,
          "GPU identity, value 1.",
          List.of("gpu", "uuid", "name", "driver_version", DEPLOYMENT));
  public static final Family GPU_SECONDS =
      new Family(
          "aicost_gpu_seconds",
          FamilyType.COUNTER,
          "GPU time in seconds by state (busy: at least one kernel running; idle: none; unknown: MIG-enabled, NVML cannot tell).",
          List.of("gpu", "uuid", DEPLOYMENT, "state"));
  public static final Family GPU_COST =
      new Family(
          "aicost_gpu_cost_usd",
          FamilyType.COUNTER,
          "GPU dollars by state, from the GPU's hourly price.",
          List.of("gpu", "uuid", DEPLOYMENT, "state"));
  public static final Family GPU_PRICE =
      new Family(
          "aicost_gpu_price_usd_per_hour",
          FamilyType.GAUGE,
          "GPU price per hour in force now and where it came from (deployment, config, default).",
          List.of("gpu", "uuid", DEPLOYMENT, "price_source"));
  public static final Family GPU_UTILIZATION =
      new Family(
          "aicost_gpu_utilization_ratio",
          FamilyType.GAUGE,
          "Fraction of the latest sample period in which the GPU was busy (0..1).",
          List.of("gpu", "uuid"));
  public static final Family GPU_UTILIZATION_KNOWN =
      new Family(
          "aicost_gpu_utilization_known",
          FamilyType.GAUGE,
          "1 if NVML can tell this GPU's busy time; 0 for MIG-enabled GPUs, whose time is booked as state=\"unknown\", never as idle.",
          List.of("gpu", "uuid"));
  public static final Family GPU_ENERGY =
      new Family(
          "aicost_gpu_energy_joules",
          FamilyType.COUNTER,
          "GPU energy consumed, in joules.",
          List.of("gpu", "uuid"));
  public static final Family GPU_POWER =
      new Family(
          "aicost_gpu_power_watts",
          FamilyType.GAUGE,
          "GPU power draw, in watts.",
          List.of("gpu", "uuid"));
  public static final Family GPU_MEMORY_USED =
      new Family(
          "aicost_gpu_memory_used_bytes",
          FamilyType.GAUGE,
          "GPU memory in use, in bytes.",
          List.of("gpu", "uuid"));
  public static final Family GPU_MEMORY_TOTAL =
      new Family(
          "aicost_gpu_memory_total_bytes",
          FamilyType.GAUGE,
          "GPU memory installed, in bytes.",
          List.of("gpu", "uuid"));

  // budgets and bills
  public static final Family BUDGET =
      new Family(
          "aicost_budget_usd",
          FamilyType.GAUGE,
          "Monthly budget in US dollars.",
          List.of("budget"));
  public static final Family BUDGET_MTD =
      new Family(
          "aicost_budget_spend_month_to_date_usd",
          FamilyType.GAUGE,
          "Spend matching the budget since the start of the calendar month (configured time zone), US dollars.",
          List.of("budget"));
  public static final Family BUDGET_FORECAST =
      new Family(
          "aicost_budget_forecast_month_end_usd",
          FamilyType.GAUGE,
          "Month-to-date spend plus the recent daily pace times the remaining days, US dollars.",
          List.of("budget"));
  public static final Family BUDGET_VARIANCE =
      new Family(
          "aicost_budget_variance_ratio",
          FamilyType.GAUGE,
          "Forecast month-end spend / budget - 1.",
          List.of("budget"));
  public static final Family BILLED =
      new Family(
          "aicost_billed_usd",
          FamilyType.GAUGE,
          "What the provider's bill says, US dollars, by window.",
          List.of(PROVIDER, "window"));
  public static final Family RECONCILIATION_DRIFT =
      new Family(
          "aicost_reconciliation_drift_ratio",
          FamilyType.GAUGE,
          "(estimate - billed) / billed over the last complete days.",
          List.of(PROVIDER));

  // exporter health
  public static final Family COLLECTOR_SUCCESS =
      new Family(
          "aicost_collector_success",
          FamilyType.GAUGE,
          "1 if the collector's last run succeeded, else 0.",
          List.of(COLLECTOR));
  public static final Family COLLECTOR_LAST_SUCCESS =
      new Family(
          "aicost_collector_last_success_timestamp_seconds",
          FamilyType.GAUGE,
          "Unix time of the collector's last successful run.",
          List.of(COLLECTOR));
  public static final Family COLLECTOR_DURATION =
      new Family(
          "aicost_collector_duration_seconds",
          FamilyType.GAUGE,
          "Duration of the collector's last run, in seconds.",
          List.of(COLLECTOR));
  public static final Family COLLECTOR_ERRORS =
      new Family(
          "aicost_collector_errors",
          FamilyType.COUNTER,
          "Collector errors by reason.",
          List.of(COLLECTOR, "reason"));
  public static final Family UPSTREAM_REQUESTS =
      new Family(
          "aicost_upstream_requests",
          FamilyType.COUNTER,
          "Calls the exporter made to upstreams, by operation and outcome.",
          List.of(COLLECTOR, "operation", "outcome"));
  public static final Family UPSTREAM_PROCESSES =
      new Family(
          "aicost_upstream_processes",
          FamilyType.GAUGE,
          "Distinct upstream processes (replicas, told apart by process start and _created times) that answered the collector's URL in the last hour.",
          List.of(COLLECTOR));
  public static final Family UPSTREAM_API_COST =
      new Family(
          "aicost_upstream_api_cost_usd",
          FamilyType.COUNTER,
          "US dollars the exporter itself spent on upstream APIs (CloudWatch, Cost Explorer).",
          List.of(COLLECTOR));
  public static final Family SERIES_DROPPED =
      new Family(
          "aicost_series_dropped",
          FamilyType.COUNTER,
          "Series not created because the metric reached limits.max_series_per_metric.",
          List.of("metric"));
  public static final Family HTTP_REFUSED =
      new Family(
          "aicost_http_refused",
          FamilyType.COUNTER,
          "Requests and connections the HTTP server refused, by reason: unauthorized (401, missing or wrong basic auth credentials), "
              + "auth_busy (429, every bcrypt check slot was in use), slow_headers (connection closed, request headers took longer than server.read_header_timeout).",
          List.of("reason"));
  public static final Family CONFIG_RELOAD_SUCCESS =
      new Family(
          "aicost_config_last_reload_successful",
          FamilyType.GAUGE,
          "1 if the last configuration reload (SIGHUP, POST /-/reload) took effect, 0 if it was refused; the start-up load counts as one.",
          List.of());
  public static final Family CONFIG_RELOAD_SUCCESS_TIME =
      new Family(
          "aicost_config_last_reload_success_timestamp_seconds",
          FamilyType.GAUGE,
          "Unix time of the last configuration reload that took effect (or of the start-up load).",
          List.of());
  public static final Family BUILD_INFO =
      new Family(
          "aicost_build_info",
          FamilyType.INFO,
          "Build information, value 1.",
          List.of("version", "revision"));

  /** Counter families the ledger persists, so a restart continues them. */
  public static final List<Family> PERSISTED_COUNTERS =
      List.of(TOKENS, REQUESTS, SPEND, UNPRICED_TOKENS, GPU_SECONDS, GPU_COST, GPU_ENERGY);
}
