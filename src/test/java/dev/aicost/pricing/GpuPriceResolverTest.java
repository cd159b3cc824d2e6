package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.config.GpuPriceConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuPriceResolverTest {
  private final GpuPriceResolver resolver =
      new GpuPriceResolver(
          List.of(
              new GpuPriceConfig(Map.of("name", "NVIDIA H100 80GB HBM3"), 3.90),
              new GpuPriceConfig(Map.of("name", "NVIDIA A100*"), 1.80),
              new GpuPriceConfig(Map.of("name", "*L4"), 0.70)));

  @Test
  void deploymentPriceWinsOverEverything() {
    assertEquals(new GpuPrice(2.25, "deployment"), resolver.resolve(2.25, "NVIDIA H100 80GB HBM3"));
    assertEquals(new GpuPrice(0.0, "deployment"), resolver.resolve(0.0, null));
  }

  @Test
  void configMatchesExactlyOrByGlob() {
    assertEquals(new GpuPrice(3.90, "config"), resolver.resolve(null, "NVIDIA H100 80GB HBM3"));
    assertEquals(new GpuPrice(3.90, "config"), resolver.resolve(null, "nvidia h100 80gb hbm3"));
    assertEquals(new GpuPrice(1.80, "config"), resolver.resolve(null, "NVIDIA A100-SXM4-80GB"));
    assertEquals(new GpuPrice(0.70, "config"), resolver.resolve(null, "NVIDIA L4"));
    // an exact entry is not a prefix match: the PCIe H100 falls through to the default table
    assertEquals(new GpuPrice(3.00, "default"), resolver.resolve(null, "NVIDIA H100 PCIe"));
  }

  @Test
  void firstMatchingConfigEntryWins() {
    GpuPriceResolver r =
        new GpuPriceResolver(
            List.of(
                new GpuPriceConfig(Map.of("name", "*H100*"), 2.10),
                new GpuPriceConfig(Map.of("name", "NVIDIA H100 NVL"), 9.0)));
    assertEquals(new GpuPrice(2.10, "config"), r.resolve(null, "NVIDIA H100 NVL"));
  }

  @ParameterizedTest
  @CsvSource({
    "NVIDIA H100 80GB HBM3, 3.00",
    "NVIDIA H100 NVL, 3.00",
    "NVIDIA H200, 3.70",
    "NVIDIA A100-SXM4-80GB, 2.00",
    "NVIDIA A100 80GB PCIe, 2.00",
    "NVIDIA A100-SXM4-40GB, 1.50",
    "NVIDIA A100-PCIE-40GB, 1.50",
    "NVIDIA L40S, 1.40",
    "NVIDIA A10G, 1.00",
    "NVIDIA L4, 0.80",
    "Tesla T4, 0.50",
    "NVIDIA GeForce RTX 4090, 2.00",
    "NVIDIA L40, 2.00",
  })
  void defaultTableByFamily(String name, double usd) {
    assertEquals(new GpuPrice(usd, "default"), new GpuPriceResolver(List.of()).resolve(null, name));
  }

  @Test
  void unknownOrMissingNameGetsTheUnknownDefault() {
    assertEquals(new GpuPrice(2.00, "default"), resolver.resolve(null, null));
    assertEquals(new GpuPrice(2.00, "default"), resolver.resolve(null, "  "));
  }
}
