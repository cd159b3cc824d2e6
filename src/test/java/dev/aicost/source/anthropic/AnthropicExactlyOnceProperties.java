package dev.aicost.source.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.model.TokenType;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.AdminKey;
import dev.aicost.testing.FakeAnthropicServer;
import dev.aicost.testing.FakeAnthropicServer.Usage;
import dev.aicost.testing.RecordingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import okhttp3.OkHttpClient;

/**
 * Exactly once, end to end over HTTP: whatever sequence of bucket revisions (growth, late buckets),
 * polls, lost commits, page failures, rate limits, malformed pages and restarts from the committed
 * checkpoint, once the API is healthy again the tokens counted per (bucket, group, type) equal what
 * the API finally reports.
 */
class AnthropicExactlyOnceProperties {
  static final Instant T0 = Instant.parse("2026-11-23T10:05:00Z");
  static final long HOUR = 3600;
  static final OkHttpClient HTTP = new OkHttpClient();
  static final List<String> WORKSPACES = List.of("wrkspc_a", "wrkspc_b");
  static final List<String> MODELS = List.of("claude-sonnet-4-5", "claude-haiku-4-5");

  sealed interface Step permits Revise, Advance, Poll {}

  /** Bucket {@code back} hours before the current one, group, field: grows by {@code by}. */
  record Revise(int back, int group, int field, long by) implements Step {}

  record Advance(int minutes) implements Step {}

  enum Kind {
    OK,
    LOST_COMMIT,
    PAGE_FAILS,
    RATE_LIMITED,
    MALFORMED,
    RESTART
  }

  record Poll(Kind kind, int page) implements Step {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> revise =
        Combinators.combine(
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 4),
                Arbitraries.longs().between(1, 5000))
            .as(Revise::new);
    Arbitrary<Step> advance = Arbitraries.integers().between(1, 90).map(Advance::new);
    Arbitrary<Step> poll =
        Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 3))
            .as(Poll::new);
    return Arbitraries.frequencyOf(Tuple.of(4, revise), Tuple.of(2, advance), Tuple.of(3, poll))
        .list()
        .ofMaxSize(40);
  }

  @Property(tries = 40)
  void countedEqualsFinalTruth(
      @ForAll("steps") List<Step> steps, @ForAll @IntRange(min = 1, max = 3) int pageSize)
      throws Exception {
    ManagedApiSourceConfig cfg =
        new ManagedApiSourceConfig(
            "ANTHROPIC_ADMIN_KEY",
            null,
            Duration.ofMinutes(5),
            null,
            "1h",
            Duration.ofHours(2),
            Duration.ofHours(48),
            Duration.ofSeconds(5));
    Map<String, long[]> reported = new TreeMap<>(); // "start|group" -> fields
    Map<String, Long> counted = new TreeMap<>();
    try (FakeAnthropicServer fake = new FakeAnthropicServer().pageSize(pageSize)) {
      ManagedApiSourceConfig c =
          new ManagedApiSourceConfig(
              cfg.adminKeyEnv(),
              null,
              cfg.interval(),
              fake.url(),
              cfg.bucketWidth(),
              cfg.window(),
              cfg.backfill(),
              cfg.timeout());
      AnthropicSource source = source(c);
      String checkpoint = null;
      Instant now = T0;
      for (Step step : steps) {
        if (step instanceof Revise r) {
          // only buckets still inside the re-read window change (older ones are final)
          long start = Math.floorDiv(now.getEpochSecond(), HOUR) * HOUR - r.back() * HOUR;
          long[] v = reported.computeIfAbsent(start + "|" + r.group(), k -> new long[5]);
          v[r.field()] += r.by();
          fake.usage(Instant.ofEpochSecond(start), usage(r.group(), v));
        } else if (step instanceof Advance a) {
          now = now.plus(Duration.ofMinutes(a.minutes()));
        } else if (step instanceof Poll p) {
          if (p.kind() == Kind.RESTART) {
            source = source(c);
            source.restore(checkpoint);
            continue;
          }
          if (p.kind() == Kind.PAGE_FAILS) fake.failPage(p.page(), 500);
          if (p.kind() == Kind.RATE_LIMITED) fake.failNext(429, "0");
          if (p.kind() == Kind.MALFORMED) fake.rawNext("{\"data\":[{\"starting_at\":");
          try {
            Batch b = source.collect(now, new RecordingContext());
            if (p.kind() != Kind.LOST_COMMIT) {
              source.committed(b);
              checkpoint = b.checkpointJson();
              add(counted, b);
            }
          } catch (SourceException e) {
            // a failed poll counts nothing; the next one reads the same span
          }
        }
      }
      fake.clearScript();
      now = now.plus(Duration.ofMinutes(5));
      Batch last = source.collect(now, new RecordingContext());
      source.committed(last);
      add(counted, last);
    }
    Map<String, Long> expected = new TreeMap<>();
    reported.forEach(
        (key, v) -> {
          String[] k = key.split("\\|");
          String g = k[1];
          for (int f = 0; f < 5; f++)
            if (v[f] > 0) expected.merge(k[0] + "|" + g + "|" + f, v[f], Long::sum);
        });
    assertEquals(expected, counted);
  }

  private static AnthropicSource source(ManagedApiSourceConfig c) {
    return AnthropicSourceKind.source(c, AdminKey.from(c, n -> FakeAnthropicServer.KEY), HTTP);
  }

  private static Usage usage(int group, long[] v) {
    return new Usage(
        "apikey_" + group,
        WORKSPACES.get(group % 2),
        MODELS.get(group / 2),
        "standard",
        "0-200k",
        v[0],
        v[1],
        v[2],
        v[3],
        v[4]);
  }

  /** Adds a batch's tokens per "start|group|field" (field as the tally orders them). */
  private static void add(Map<String, Long> counted, Batch b) {
    for (UsageDelta u : b.usage()) {
      int group =
          (u.sourceIds().get("workspace_id").equals(WORKSPACES.get(0)) ? 0 : 1)
              + 2 * MODELS.indexOf(u.model());
      String prefix = u.start().getEpochSecond() + "|" + group + "|";
      boolean oneHour = "1h".equals(u.sourceIds().get("cache_ttl"));
      List<long[]> parts = new ArrayList<>();
      parts.add(new long[] {0, u.tokens().get(TokenType.INPUT)});
      parts.add(new long[] {1, u.tokens().get(TokenType.CACHE_READ)});
      parts.add(new long[] {oneHour ? 3 : 2, u.tokens().get(TokenType.CACHE_WRITE)});
      parts.add(new long[] {4, u.tokens().get(TokenType.OUTPUT)});
      for (long[] p : parts) if (p[1] > 0) counted.merge(prefix + p[0], p[1], Long::sum);
    }
  }
}
