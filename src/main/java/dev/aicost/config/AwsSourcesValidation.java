package dev.aicost.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code sources.bedrock} and {@code sources.aws_cost_explorer}: one line per problem. */
final class AwsSourcesValidation {
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");
  private static final Pattern CATEGORY = Pattern.compile("[a-z][a-z_]{0,31}");
  private static final Duration RETENTION = Duration.ofDays(14);

  private final List<String> problems = new ArrayList<>();

  private AwsSourcesValidation() {}

  static List<String> validate(SourcesConfig s) {
    AwsSourcesValidation v = new AwsSourcesValidation();
    if (s.bedrock() != null) v.bedrock(s.bedrock());
    if (s.awsCostExplorer() != null) v.costExplorer(s.awsCostExplorer());
    return v.problems;
  }

  private void bedrock(BedrockSourceConfig b) {
    String p = "sources.bedrock.";
    if (b.regions().isEmpty()) add(p + "regions", "must name at least one region");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < b.regions().size(); i++) {
      String r = b.regions().get(i);
      if (r == null || !REGION.matcher(r).matches())
        add(p + "regions[" + i + "]", "not an AWS region like us-east-1");
      else if (!seen.add(r)) add(p + "regions[" + i + "]", "duplicate region \"" + r + "\"");
    }
    // CloudWatch data is per minute and every poll is billed: a faster poll only costs more
    atLeast(p + "interval", b.interval(), Duration.ofSeconds(60));
    atLeast(p + "window", b.window(), Duration.ofMinutes(2));
    atMost(p + "window", b.window(), RETENTION);
    atLeast(p + "backfill", b.backfill(), Duration.ZERO);
    atMost(p + "backfill", b.backfill(), RETENTION);
    atLeast(p + "discovery_interval", b.discoveryInterval(), Duration.ofMinutes(1));
    endpoint(p + "endpoint", b.endpoint());
    endpoint(p + "control_endpoint", b.controlEndpoint());
    if (b.modelIds() != null) {
      if (b.modelIds().isEmpty())
        add(p + "model_ids", "must list ModelIds, or be null to discover them");
      for (int i = 0; i < b.modelIds().size(); i++) {
        String id = b.modelIds().get(i);
        if (id == null || id.isBlank() || id.length() > 2048)
          add(p + "model_ids[" + i + "]", "must be a ModelId as CloudWatch reports it");
      }
    }
    if (!(b.pricePerThousandMetrics() >= 0) || b.pricePerThousandMetrics().isInfinite())
      add(p + "price_per_thousand_metrics", "must be a number >= 0");
  }

  private void costExplorer(CostExplorerConfig c) {
    // $0.01 per request, and the bill changes a few times a day at most
    atLeast("sources.aws_cost_explorer.interval", c.interval(), Duration.ofHours(1));
    endpoint("sources.aws_cost_explorer.endpoint", c.endpoint());
    atLeast("sources.aws_cost_explorer.window", c.window(), Duration.ofDays(1));
    atMost("sources.aws_cost_explorer.window", c.window(), Duration.ofDays(90));
    c.categories()
        .forEach(
            (service, category) -> {
              if (category == null || !CATEGORY.matcher(category).matches())
                add(
                    "sources.aws_cost_explorer.categories." + service,
                    "must be a category like compute, storage or networking");
            });
    if (!(c.pricePerRequest() >= 0) || c.pricePerRequest().isInfinite())
      add("sources.aws_cost_explorer.price_per_request", "must be a number >= 0");
  }

  private void endpoint(String path, String url) {
    if (url == null) return;
    try {
      URI u = new URI(url);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null)
        add(path, "must be an http(s) URL");
      else if (u.getUserInfo() != null) add(path, "must not carry credentials");
    } catch (Exception e) {
      add(path, "must be an http(s) URL");
    }
  }

  private void atLeast(String path, Duration d, Duration min) {
    if (d.compareTo(min) < 0) add(path, "must be at least " + Durations.format(min));
  }

  private void atMost(String path, Duration d, Duration max) {
    if (d.compareTo(max) > 0) add(path, "must be at most " + Durations.format(max));
  }

  private void add(String path, String message) {
    problems.add(path + ": " + message);
  }
}
