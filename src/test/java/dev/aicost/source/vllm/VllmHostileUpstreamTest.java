package dev.aicost.source.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.RecordingContext;
import dev.aicost.testing.VllmPageBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vLLM source against upstreams that flap, repeat, lie and share one URL: totals must equal
 * what the upstream processes really counted, every time (issue 9). Each case failed before the fix
 * with the inflation named in its comment.
 */
class VllmHostileUpstreamTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final double STARTED = T0.getEpochSecond() - 36_000; // vLLM up for 10 h
  private final FakeVllmServer vllm = new FakeVllmServer();
  private final OkHttpClient http = new OkHttpClient();
  private final RecordingContext ctx = new RecordingContext();
  private int processes = -1;

  @AfterEach
  void close() {
    vllm.close();
  }

  private VllmSource source() {
    return new VllmSource(
        new VllmSourceConfig(
            "llama-prod",
            vllm.url(),
            Duration.ofSeconds(15),
            Duration.ofSeconds(2),
            1,
            null,
            null,
            null,
            null),
        http,
        16L << 20,
        1024);
  }

  private Batch read(VllmSource s, int step) throws SourceException {
    Batch b = s.collect(T0.plusSeconds(15L * step), ctx);
    processes = ctx.upstreamProcesses;
    s.committed(b);
    return b;
  }

  private static TokenCounts tokens(Batch b) {
    return b.usage().stream().map(UsageDelta::tokens).reduce(TokenCounts.ZERO, TokenCounts::plus);
  }

  private static long requests(Batch b) {
    return b.usage().stream().mapToLong(UsageDelta::requests).sum();
  }

  @Test
  void seriesMissingFromEveryOtherReadIsNotBookedAgain() throws Exception {
    // before: 1.2 M real tokens became 7.2 M after 12 reads
    VllmSource s = source();
    long prompt = 0;
    for (int i = 0; i < 12; i++) {
      VllmPageBuilder p =
          new VllmPageBuilder()
              .processStart(STARTED)
              .engine("m", "0", 600_000, 100, 10, STARTED + 1);
      if (i % 2 == 0) p.engine("m", "1", 600_000, 100, 10, STARTED + 1);
      vllm.page(p.toString());
      prompt += tokens(read(s, i)).prompt();
    }
    assertEquals(1_200_000, prompt);
  }

  @Test
  void seriesMissingWithoutCreatedTimesIsNotBookedAgainEither() throws Exception {
    VllmSource s = source();
    long prompt = 0;
    for (int i = 0; i < 12; i++) {
      VllmPageBuilder p =
          new VllmPageBuilder()
              .processStart(STARTED)
              .engine("m", "0", 600_000 + i, 100, 10, Double.NaN);
      if (i % 2 == 0) p.engine("m", "1", 600_000, 100, 10, Double.NaN);
      vllm.page(p.toString());
      prompt += tokens(read(s, i)).prompt();
    }
    assertEquals(1_200_011, prompt);
  }

  @Test
  void nanOnEveryOtherReadIsNoReadingNotZero() throws Exception {
    VllmSource s = source();
    long prompt = 0;
    for (int i = 0; i < 12; i++) {
      double v = i % 2 == 1 ? Double.NaN : 600_000 + 10 * i;
      vllm.page(
          new VllmPageBuilder()
              .processStart(STARTED)
              .engine("m", "0", 600_000, 0, 0, STARTED + 1)
              .engine("m", "1", v, 0, 0, STARTED + 1)
              .toString());
      prompt += tokens(read(s, i)).prompt();
    }
    assertEquals(600_000 + 600_100, prompt);
    assertTrue(ctx.errors("bad_value") >= 6, ctx.partialErrors.toString());
  }

  @Test
  void infiniteAndNegativeValuesAreNoReading() throws Exception {
    VllmSource s = source();
    long prompt = 0;
    double[] values = {
      1000, Double.POSITIVE_INFINITY, 1100, -5, 1200, Double.NEGATIVE_INFINITY, 1300
    };
    for (int i = 0; i < values.length; i++) {
      vllm.page(
          new VllmPageBuilder()
              .processStart(STARTED)
              .engine("m", "0", values[i], 0, 0, STARTED + 1)
              .toString());
      prompt += tokens(read(s, i)).prompt();
    }
    assertEquals(1300, prompt);
  }

  @Test
  void duplicatedSeriesLineIsCountedOnce() throws Exception {
    // before: summed, 2x
    String l = "engine=\"0\",model_name=\"m\"";
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1000, 50, 5, STARTED + 1)
            .counter("vllm:prompt_tokens", l, 1000)
            .toString());
    Batch b = read(source(), 0);
    assertEquals(1000, tokens(b).prompt());
    assertEquals(1, ctx.errors("duplicate_series"));
  }

  @Test
  void duplicatedSeriesWithDifferentValuesRejectsThePage() {
    String l = "engine=\"0\",model_name=\"m\"";
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1000, 50, 5, STARTED + 1)
            .counter("vllm:prompt_tokens", l, 4000)
            .toString());
    SourceException e = assertThrows(SourceException.class, () -> source().collect(T0, ctx));
    assertEquals("parse", e.reason());
    assertTrue(e.getMessage().contains("twice"), e.getMessage());
    assertEquals(List.of("scrape/parse_error"), ctx.calls);
  }

  @Test
  void replicasBehindOneUrlAreTrackedApart() throws Exception {
    // before: 695,625 served tokens were counted as 134,786,965
    VllmSource s = source();
    double[] starts = {STARTED, STARTED + 600, STARTED + 1200};
    long[] prompt = {5_000_000, 7_000_000, 9_000_000};
    long truthGrowth = 0, counted = 0;
    for (int i = 0; i < 30; i++) {
      int r = (i * 7 + i / 3) % 3; // an uneven interleaving, as a load balancer gives
      prompt[r] += 1000 + i;
      truthGrowth += 1000 + i;
      vllm.page(
          new VllmPageBuilder()
              .processStart(starts[r])
              .engine("m", "0", prompt[r], 0, 0, starts[r] + 0.25)
              .toString());
      counted += tokens(read(s, i)).prompt();
    }
    for (int r = 0;
        r < 3;
        r++) { // one more read of each, so every replica's last growth has been seen
      vllm.page(
          new VllmPageBuilder()
              .processStart(starts[r])
              .engine("m", "0", prompt[r], 0, 0, starts[r] + 0.25)
              .toString());
      counted += tokens(read(s, 100 + r)).prompt();
    }
    long history = 5_000_000 + 7_000_000 + 9_000_000;
    assertEquals(
        history + truthGrowth,
        counted); // every replica's history once, on first sight, then its growth
    assertEquals(3, processes);
  }

  @Test
  void replicasWithTheSameStartSecondAreToldApartByCreatedTimes() throws Exception {
    VllmSource s = source();
    long counted = 0;
    for (int i = 0; i < 10; i++) {
      int r = i % 2;
      double created = STARTED + 3 + r * 0.123456;
      vllm.page(
          new VllmPageBuilder()
              .processStart(STARTED)
              .engine("m", "0", 1000 * (r + 1) + i, 0, 0, created)
              .toString());
      counted += tokens(read(s, i)).prompt();
    }
    // replica 0 last read 1008, replica 1 last read 2009
    assertEquals(1008 + 2009, counted);
  }

  @Test
  void replicaStatesSurviveAnExporterRestart() throws Exception {
    VllmSource s = source();
    Batch last = null;
    for (int i = 0; i < 4; i++) {
      int r = i % 2;
      vllm.page(
          new VllmPageBuilder()
              .processStart(STARTED + r)
              .engine("m", "0", 1000 + r * 500 + i, 0, 0, STARTED + r + 0.5)
              .toString());
      last = read(s, i);
    }
    VllmSource restarted = source();
    restarted.restore(last.checkpointJson());
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1010, 0, 0, STARTED + 0.5)
            .toString());
    assertEquals(8, tokens(read(restarted, 10)).prompt()); // replica 0 was last read at 1002
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED + 1)
            .engine("m", "0", 1510, 0, 0, STARTED + 1.5)
            .toString());
    assertEquals(7, tokens(read(restarted, 11)).prompt()); // replica 1 was last read at 1503
  }

  @Test
  void checkpointOfTheSingleProcessFormIsReadAsOneProcess() throws Exception {
    String key = "prompt" + VllmPage.SEP + "m" + VllmPage.SEP + "0" + VllmPage.SEP;
    String old =
        "{\"series\":{\""
            + key.replace("\u001f", "\\u001f")
            + "\":[1000.0,"
            + (STARTED + 1)
            + "]},\"lastReadMs\":"
            + T0.toEpochMilli()
            + ",\"processStart\":"
            + STARTED
            + "}";
    VllmSource s = source();
    s.restore(old);
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1250, 0, 0, STARTED + 1)
            .toString());
    assertEquals(250, tokens(read(s, 1)).prompt());
  }

  @Test
  void forgottenProcessesExpire() throws Exception {
    VllmSource s =
        new VllmSource(
            new VllmSourceConfig(
                "d",
                vllm.url(),
                Duration.ofSeconds(15),
                Duration.ofSeconds(2),
                1,
                null,
                null,
                null,
                null,
                Duration.ofMinutes(10)),
            http,
            16L << 20,
            1024);
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1000, 0, 0, STARTED + 1)
            .toString());
    read(s, 0);
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED + 5)
            .engine("m", "0", 2000, 0, 0, STARTED + 6)
            .toString());
    read(s, 1);
    assertEquals(2, processes);
    read(s, 60); // 15 minutes later only the second answered
    assertEquals(1, processes);
  }

  @Test
  void absurdValuesAreRejectedWithAReason() throws Exception {
    // before: 1e308 became 9.22e18 tokens with collector_success 1
    VllmSource s = source();
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1000, 10, 1, STARTED + 1)
            .toString());
    read(s, 0);
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1e308, 20, 2, STARTED + 1)
            .toString());
    Batch b = read(s, 1);
    assertEquals(new TokenCounts(0, 0, 0, 10), tokens(b));
    assertEquals(1, ctx.errors("bad_value"));
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1100, 30, 3, STARTED + 1)
            .toString());
    assertEquals(new TokenCounts(100, 0, 0, 10), tokens(read(s, 2)));
  }

  @Test
  void aJumpNoServerCanMakeInOneIntervalIsRejected() throws Exception {
    VllmSource s = source();
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1000, 0, 0, STARTED + 1)
            .toString());
    read(s, 0);
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 5e12, 0, 0, STARTED + 1)
            .toString());
    assertEquals(0, tokens(read(s, 1)).prompt());
    assertTrue(ctx.partialErrors.get(0).contains("rose by"), ctx.partialErrors.toString());
    // a history on first sight that the process could not have counted since it started
    VllmSource fresh = source();
    vllm.page(
        new VllmPageBuilder()
            .processStart(T0.getEpochSecond() - 60)
            .engine("m", "0", 4e15, 0, 0, T0.getEpochSecond() - 59)
            .toString());
    assertEquals(0, tokens(read(fresh, 0)).prompt());
  }

  @Test
  void aDecreaseWithTheSameCreatedTimeIsALieNotAReset() throws Exception {
    VllmSource s = source();
    long prompt = 0;
    double[] values = {5000, 4000, 5000, 5100};
    for (int i = 0; i < values.length; i++) {
      vllm.page(
          new VllmPageBuilder()
              .processStart(STARTED)
              .engine("m", "0", values[i], 0, 0, STARTED + 1)
              .toString());
      prompt += tokens(read(s, i)).prompt();
    }
    assertEquals(5100, prompt); // before: 5000 + 4000 + 1000 + 100
  }

  @Test
  void aParseFailureIsNotCountedAsASuccessfulScrape() {
    vllm.page("vllm:prompt_tokens_total{model_name=\"m\"} 12 13 14 15\n");
    assertThrows(SourceException.class, () -> source().collect(T0, ctx));
    assertEquals(List.of("scrape/parse_error"), ctx.calls);
  }

  @Test
  void aStreamedPageOverTheCapIsCountedAsTooLarge() {
    vllm.chunked(true).page("# " + "x".repeat(300_000) + "\n");
    VllmSource s = new VllmSource(VllmSourceConfig.of("d", vllm.url()), http, 100_000, 1024);
    SourceException e = assertThrows(SourceException.class, () -> s.collect(T0, ctx));
    assertEquals("too_large", e.reason());
    assertEquals(List.of("scrape/too_large"), ctx.calls);
  }

  @Test
  void controlBytesInLabelValuesNeverReachTheRecords() throws Exception {
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .counter(
                "vllm:prompt_tokens",
                "engine=\"0\",model_name=\"evil\u0000model\\nx\u001b[31m\"",
                700)
            .toString());
    Batch b = read(source(), 0);
    String model = b.usage().get(0).model();
    assertEquals(700, tokens(b).prompt());
    for (char c : model.toCharArray())
      assertFalse(VllmPage.isControl(c), "control character in " + model);
    assertEquals("evil\uFFFDmodel\uFFFDx\uFFFD[31m", model);
    assertEquals(1, ctx.errors("bad_label"));
  }

  @Test
  void aNewReplicaStartedSinceTheLastReadIsWatchedUsageNotHistory() throws Exception {
    VllmSource s = source();
    vllm.page(
        new VllmPageBuilder()
            .processStart(STARTED)
            .engine("m", "0", 1000, 0, 0, STARTED + 1)
            .toString());
    assertTrue(read(s, 0).usage().get(0).history(), "a first read is history");
    double later = T0.getEpochSecond() + 20; // started between our reads
    vllm.page(
        new VllmPageBuilder()
            .processStart(later)
            .engine("m", "0", 300, 0, 0, later + 1)
            .toString());
    UsageDelta u = read(s, 2).usage().get(0);
    assertEquals(300, u.tokens().prompt());
    assertFalse(u.history());
    assertEquals(Instant.ofEpochSecond((long) later), u.start());
  }
}
