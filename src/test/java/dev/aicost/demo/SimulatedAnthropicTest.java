package dev.aicost.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceException;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.DemoConfig;
import dev.aicost.config.ExporterConfig;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.AdminKey;
import dev.aicost.source.anthropic.AnthropicSourceKind;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RecordingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * The demo's simulated Anthropic Admin API, read by the real source: usage grows late, and however
 * often it is polled the same tokens are counted, equal to what the simulation reports.
 */
class SimulatedAnthropicTest {
  static final Instant T0 = Instant.parse("2026-11-24T09:00:20Z");

  private static final SourceKind UNCONFIGURED =
      new SourceKind() {
        @Override
        public String section() {
          return AnthropicSourceKind.SECTION;
        }

        @Override
        public List<Source> create(SourceSetup setup) {
          throw new AssertionError("the demo stands in for an absent section");
        }
      };

  /** Tokens counted over 90 simulated minutes, polling every {@code every}. */
  private static long counted(Duration every, MutableClock clock, Demo demo) throws Exception {
    ExporterConfig cfg = new ConfigLoader().parse("sources: { nvml: { enabled: false } }\n");
    Source s =
        demo.anthropicKind(UNCONFIGURED)
            .create(new SourceSetup(cfg, List.of(), new OkHttpClient()))
            .get(0);
    long total = 0;
    Instant end = T0.plus(Duration.ofMinutes(90));
    while (true) {
      Batch b = s.collect(clock.instant(), new RecordingContext());
      s.committed(b);
      for (UsageDelta u : b.usage()) total += u.tokens().total();
      if (!clock.instant().isBefore(end)) return total;
      Instant next = clock.instant().plus(every);
      clock.advance(Duration.between(clock.instant(), next.isAfter(end) ? end : next));
    }
  }

  @Test
  void pollingOftenOrRarelyCountsWhatTheSimulationReports() throws Exception {
    long[] results = new long[2];
    Duration[] everies = {Duration.ofMinutes(2), Duration.ofMinutes(7)};
    for (int i = 0; i < 2; i++) {
      MutableClock clock = new MutableClock(T0);
      try (Demo demo = new Demo(new DemoConfig(null, 1, null), clock)) {
        results[i] = counted(everies[i], clock, demo);
      }
    }
    // the truth: every minute bucket since the 1h backfill, as far as it was reported at the end
    long end = T0.plus(Duration.ofMinutes(90)).getEpochSecond();
    long first = Math.floorDiv(T0.getEpochSecond() - 3600, 60) * 60;
    long truth = 0;
    for (long b = first; b < end; b += 60) {
      long seen = Math.min(b + 60, end - SimulatedAnthropic.LAG_SECONDS);
      for (double rate : new double[] {900, 2400, 150, 40, 260, 1500, 600, 80, 0, 420})
        truth +=
            SimulatedAnthropic.tokens(
                rate,
                Math.max(b, T0.getEpochSecond() - SimulatedAnthropic.OPENED_BEFORE_START),
                seen);
    }
    assertTrue(truth > 0);
    assertEquals(truth, results[0]);
    assertEquals(truth, results[1]);
  }

  @Test
  void answersOnlyToItsOwnKeyAndReportsCentsAsDecimalStrings() throws Exception {
    MutableClock clock = new MutableClock(T0);
    try (SimulatedAnthropic api = new SimulatedAnthropic(clock, List.of())) {
      assertTrue(api.key().startsWith("sk-ant-admin01-demo-"));
      ManagedApiSourceConfig cfg =
          new ManagedApiSourceConfig(null, null, null, api.url(), "1m", null, null, null);
      Source wrong =
          AnthropicSourceKind.source(
              cfg, AdminKey.fixed("sk-ant-admin01-other", "test"), new OkHttpClient());
      SourceException e =
          assertThrows(
              SourceException.class, () -> wrong.collect(clock.instant(), new RecordingContext()));
      assertEquals("auth", e.reason());
      assertFalse(e.getMessage().contains(api.key()));
    }
    try (Demo demo = new Demo(new DemoConfig(null, 1, null), clock)) {
      ExporterConfig cfg = new ConfigLoader().parse("sources: { nvml: { enabled: false } }\n");
      Source s =
          demo.anthropicKind(UNCONFIGURED)
              .create(new SourceSetup(cfg, List.of(), new OkHttpClient()))
              .get(0);
      Batch b = s.collect(clock.instant(), new RecordingContext());
      assertEquals(7, b.billed().size()); // the last seven UTC days, today included
      // the organisation opened an hour before the demo started: only today costs anything
      assertEquals(
          List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
          b.billed().subList(0, 6).stream().map(x -> x.usd()).toList());
      assertTrue(b.billed().get(6).usd() > 0, b.billed().toString());
    }
  }
}
