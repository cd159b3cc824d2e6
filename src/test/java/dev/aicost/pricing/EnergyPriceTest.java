package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.config.EnergyConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnergyPriceTest {
  @Test
  void oneKilowattHourAtTwelveCentsWithPue() {
    EnergyPrice price = EnergyPrice.from(new EnergyConfig(0.12, 1.3)).orElseThrow();
    assertEquals(0.156, price.usdFor(3.6e6), 1e-12);
    // a 700 W GPU for an hour
    assertEquals(0.7 * 0.12 * 1.3, price.usdFor(700 * 3600), 1e-12);
  }

  @Test
  void pueDefaultsToOne() {
    assertEquals(
        0.12, EnergyPrice.from(new EnergyConfig(0.12, null)).orElseThrow().usdFor(3.6e6), 1e-12);
  }

  @Test
  void absentConfigMeansNoEnergyDollars() {
    assertEquals(Optional.empty(), EnergyPrice.from(null));
    assertTrue(EnergyPrice.from(new EnergyConfig(null, 1.2)).isEmpty());
  }
}
