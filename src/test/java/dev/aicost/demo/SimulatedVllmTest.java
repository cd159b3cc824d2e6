package dev.aicost.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The simulated vLLM's traffic does not depend on how often its page is read. */
class SimulatedVllmTest {
  private static final Pattern SUCCESS =
      Pattern.compile("(?m)^vllm:request_success_total\\{[^}]*} (\\S+)$");

  private static double requests(String page) {
    double sum = 0;
    Matcher m = SUCCESS.matcher(page);
    while (m.find()) sum += Double.parseDouble(m.group(1));
    return sum;
  }

  /**
   * Requests served over 10 simulated minutes at 01:00 UTC (a quiet hour), the page read every
   * {@code everyMs}.
   */
  private static double served(long everyMs) throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-24T01:00:00Z"));
    try (SimulatedVllm v =
        new SimulatedVllm(
            clock,
            List.of(new SimulatedVllm.Model("m", 6.0, 1000, 200, 0.5)),
            2,
            Duration.ZERO,
            7)) {
      v.page();
      for (long t = 0; t < 600_000; t += everyMs) {
        clock.advance(Duration.ofMillis(everyMs));
        v.page();
      }
      return requests(v.page());
    }
  }

  @Test
  void frequentReadsAtAQuietHourStillSeeTraffic() throws Exception {
    // 6 req/s x diurnal(01:00) ~0.13 x 600 s ~ 470 requests, read every 100 ms or every 15 s alike
    double often = served(100), seldom = served(15_000);
    assertTrue(often > 300 && often < 700, "read every 100 ms: " + often);
    assertTrue(seldom > 300 && seldom < 700, "read every 15 s: " + seldom);
    assertTrue(Math.abs(often - seldom) / seldom < 0.15, often + " vs " + seldom);
  }
}
