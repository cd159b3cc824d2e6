package dev.aicost.config;

import java.time.Duration;
import java.util.List;

/** The whole configuration file (docs/configuration.md). Absent sections take their defaults. */
public record ExporterConfig(
    ServerConfig server,
    StateConfig state,
    String timezone,
    Duration trailingWindow,
    PricingConfig pricing,
    AttributionConfig attribution,
    SourcesConfig sources,
    List<BudgetConfig> budgets,
    LimitsConfig limits,
    DemoConfig demo) {

  public ExporterConfig {
    server = server != null ? server : new ServerConfig(null, null, null, null);
    state = state != null ? state : new StateConfig(null);
    timezone = timezone != null ? timezone : "UTC";
    trailingWindow = trailingWindow != null ? trailingWindow : Duration.ofMinutes(15);
    pricing = pricing != null ? pricing : new PricingConfig(null, null, null, null, null, null);
    attribution = attribution != null ? attribution : new AttributionConfig(null);
    sources = sources != null ? sources : new SourcesConfig(null, null);
    budgets = ConfigCopies.list(budgets);
    limits = limits != null ? limits : new LimitsConfig(null, null, null);
    demo = demo != null ? demo : new DemoConfig(null, null, null);
  }

  /** The configuration used when no file is given. */
  public static ExporterConfig defaults() {
    return new ExporterConfig(null, null, null, null, null, null, null, null, null, null);
  }

  /** The same configuration with another {@code state:} (e.g. the demo's own ledger). */
  public ExporterConfig withState(StateConfig state) {
    return new ExporterConfig(
        server,
        state,
        timezone,
        trailingWindow,
        pricing,
        attribution,
        sources,
        budgets,
        limits,
        demo);
  }
}
