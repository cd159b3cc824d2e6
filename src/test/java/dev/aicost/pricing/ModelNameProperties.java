package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any Bedrock-style decoration of a catalog id resolves back to that id. */
class ModelNameProperties {
  private final PriceCatalog catalog = new PriceCatalog(List.of(BuiltinPrices.load()), Map.of());
  // after every built-in row took effect (Claude Opus 4.6 on Bedrock: 2026-02-05)
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");

  @Provide
  Arbitrary<String> awsAnthropicKeys() {
    return Arbitraries.of(
        BuiltinPrices.load().stream()
            .filter(p -> p.provider().equals("aws") && p.model().startsWith("anthropic."))
            // families only: a row keyed by a full dated id is matched exactly, not decorated
            .filter(p -> !p.model().matches(".*-\\d{8}.*"))
            .map(TokenPrice::model)
            .distinct()
            .toList());
  }

  @Provide
  Arbitrary<String> dateSuffixes() {
    Arbitrary<LocalDate> days =
        Arbitraries.longs().between(0, 3000).map(d -> LocalDate.of(2023, 1, 1).plusDays(d));
    return Arbitraries.oneOf(
        days.map(d -> "-" + d.toString().replace("-", "")), Arbitraries.just(""));
  }

  @Property(tries = 300)
  void decoratedBedrockIdsResolveToTheirFamily(
      @ForAll("awsAnthropicKeys") String key,
      @ForAll("dateSuffixes") String date,
      @ForAll("geo") String geo,
      @ForAll("version") String version,
      @ForAll boolean upper) {
    String id = geo + key + date + version;
    // Claude 3.5 Sonnet v2 has its own Bedrock row (prompt caching): that exact id resolves to it
    Assume.that(!(key + date + version).startsWith("anthropic.claude-3-5-sonnet-20241022-v2:0"));
    if (upper) id = id.toUpperCase();
    String resolved = catalog.priceFor("aws", id, NOW).map(TokenPrice::model).orElse(null);
    assertEquals(key, resolved, id);
  }

  @Provide
  Arbitrary<String> geo() {
    return Arbitraries.of("", "us.", "eu.", "apac.", "global.", "us-gov.", "jp.");
  }

  @Provide
  Arbitrary<String> version() {
    return Arbitraries.of("", "-v1:0", "-v2:0", "-v1", ":0", "-v1:0:200k");
  }
}
