package dev.aicost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** sources.bedrock and sources.aws_cost_explorer: defaults, and every problem by its path. */
class AwsSourcesValidationTest {
  static List<String> problems(String yaml) {
    try {
      new ConfigLoader().parse(yaml);
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  @Test
  void defaults() throws Exception {
    ExporterConfig c = new ConfigLoader().parse("sources: { bedrock: {}, aws_cost_explorer: {} }");
    BedrockSourceConfig b = c.sources().bedrock();
    assertEquals(List.of("us-east-1"), b.regions());
    assertEquals(Duration.ofSeconds(60), b.interval());
    assertEquals(Duration.ofMinutes(15), b.window());
    assertEquals(Duration.ofHours(1), b.backfill());
    assertEquals(Duration.ofHours(1), b.discoveryInterval());
    assertEquals(0.01, b.pricePerThousandMetrics());
    assertEquals(null, b.modelIds());
    assertFalse(c.sources().awsCostExplorer().enabled());
    assertEquals(Duration.ofDays(7), c.sources().awsCostExplorer().window());
    assertEquals("compute", c.sources().awsCostExplorer().categories().get("EC2 - Other"));
    assertEquals(0.01, c.sources().awsCostExplorer().pricePerRequest());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "sources: { bedrock: { regions: [] } }|sources.bedrock.regions: must name at least one",
        "sources: { bedrock: { regions: [ US-EAST-1 ] } }|sources.bedrock.regions[0]: not an AWS region",
        "sources: { bedrock: { regions: [ eu-west-1, eu-west-1 ] } }|sources.bedrock.regions[1]: duplicate",
        "sources: { bedrock: { interval: 15s } }|sources.bedrock.interval: must be at least 1m",
        "sources: { bedrock: { window: 30s } }|sources.bedrock.window: must be at least 2m",
        "sources: { bedrock: { window: 30d } }|sources.bedrock.window: must be at most",
        "sources: { bedrock: { backfill: 20d } }|sources.bedrock.backfill: must be at most",
        "sources: { bedrock: { discovery_interval: 1s } }|sources.bedrock.discovery_interval",
        "sources: { bedrock: { endpoint: 'ftp://x' } }|sources.bedrock.endpoint: must be an http(s) URL",
        "sources: { bedrock: { control_endpoint: 'bedrock.local' } }|sources.bedrock.control_endpoint: must be an http(s) URL",
        "sources: { bedrock: { model_ids: [] } }|sources.bedrock.model_ids: must list",
        "sources: { bedrock: { price_per_thousand_metrics: -1 } }|sources.bedrock.price_per_thousand_metrics",
        "sources: { aws_cost_explorer: { interval: 5m } }|sources.aws_cost_explorer.interval: must be at least 1h",
        "sources: { aws_cost_explorer: { window: 1h } }|sources.aws_cost_explorer.window: must be at least 24h",
        "sources: { aws_cost_explorer: { categories: { 'Amazon EC2': 'Compute!' } } }|sources.aws_cost_explorer.categories.Amazon EC2",
        "sources: { aws_cost_explorer: { price_per_request: -0.01 } }|sources.aws_cost_explorer.price_per_request",
      })
  void everyProblemNamesItsPath(String yaml, String expected) {
    List<String> p = problems(yaml);
    assertTrue(
        p.stream().anyMatch(s -> s.startsWith(expected)),
        "expected a problem starting with <" + expected + "> in " + p);
  }

  @Test
  void credentialsInAnEndpointAreRefusedWithoutBeingRepeated() {
    List<String> p =
        problems("sources: { bedrock: { endpoint: 'https://AKID:s3cret@vpce.example' } }");
    assertEquals(1, p.size(), p.toString());
    assertFalse(p.get(0).contains("s3cret"), p.get(0));
  }
}
