package dev.aicost.source.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.AdminKey;
import dev.aicost.testing.FakeOpenAiServer;
import dev.aicost.testing.FakeOpenAiServer.Row;
import dev.aicost.testing.RecordingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import okhttp3.OkHttpClient;

/**
 * Exactly once end to end, through the real client against the fake OpenAI server: random sequences
 * of bucket revisions (growth, late buckets, corrections that shrink and grow back), time passing
 * (buckets leave the re-read window), pages failing half-way, ledger commits failing and restarts
 * from the checkpoint JSON. After a last clean poll, what was committed per (bucket, group) equals
 * the provider's final figure exactly.
 *
 * <p>Revisions touch only buckets younger than 10 minutes (window 30m, 1m buckets, at most 5
 * minutes between steps): the contract is that a bucket changes only while it is re-read.
 */
class OpenAiExactlyOnceProperties {
  private static final String KEY = "sk-admin-property";
  private static final FakeOpenAiServer FAKE = new FakeOpenAiServer(KEY).bucketWidth(60);
  private static final OkHttpClient HTTP = new OkHttpClient();
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:30Z");

  /** group index → endpoint and the row's dimensions (distinct models identify the group). */
  private static final String[] ENDPOINT = {"completions", "completions", "embeddings"};

  private static final Row[] GROUP = {
    Row.of("gpt-4o", 0, 0, 0, 0),
    new Row("proj_B", "key_B", "gpt-4o-mini", true, "flex", 0, 0, 0, 0, 0),
    Row.of("text-embedding-3-small", 0, 0, 0, 0).withIds("proj_C", "key_C")
  };

  @AfterContainer
  static void stop() {
    FAKE.close();
  }

  private static OpenAiSource source() {
    ManagedApiSourceConfig c =
        new ManagedApiSourceConfig(
            "OPENAI_ADMIN_KEY",
            null,
            Duration.ofMinutes(1),
            FAKE.baseUrl() + "/v1",
            "1m",
            Duration.ofMinutes(30),
            Duration.ofHours(1),
            Duration.ofSeconds(5));
    return new OpenAiSource(
        "openai",
        c,
        new HttpOpenAiUsageApi(
            HTTP, c.baseUrl(), AdminKey.fixed(KEY, "test"), c.timeout(), 1 << 20));
  }

  private record K(long start, int group) {}

  @Property(tries = 40)
  void committedUsageEqualsTheFinalTruth(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int steps) throws Exception {
    Random rnd = new Random(seed);
    FAKE.clear().pageSize(1 + rnd.nextInt(4));
    Map<K, long[]> truth = new HashMap<>(); // [uncached, cached, write, output, requests]
    Map<K, long[]> max = new HashMap<>();
    Map<K, long[]> counted = new HashMap<>();
    List<K> regrow = new ArrayList<>();
    Instant now = T0;
    OpenAiSource source = source();
    String checkpoint = null;
    for (int s = 0; s < steps; s++) {
      for (K k : regrow) { // a correction is followed by the provider's final, larger figure
        long[] v = truth.get(k), m = max.get(k);
        for (int i = 0; i < 5; i++)
          v[i] =
              Math.max(v[i], m[i])
                  + (g(k) == 2 && (i == 1 || i == 2 || i == 3) ? 0 : rnd.nextInt(3));
        serve(k, v, max);
      }
      regrow.clear();
      switch (rnd.nextInt(7)) {
        case 0 -> now = now.plusSeconds(rnd.nextInt(301));
        case 1, 2 -> { // usage lands, in the current or a recent bucket (a late one)
          K k = new K(aligned(now) - 60L * rnd.nextInt(10), rnd.nextInt(3));
          long[] v = truth.computeIfAbsent(k, x -> new long[5]);
          for (int i = 0; i < 5; i++) if (g(k) != 2 || i == 0 || i == 4) v[i] += rnd.nextInt(1000);
          serve(k, v, max);
        }
        case 3 -> { // a correction: one field of a known recent bucket shrinks, for now
          long young = aligned(now) - 540;
          List<K> recent = truth.keySet().stream().filter(k -> k.start() >= young).toList();
          if (recent.isEmpty()) break;
          K k = recent.get(rnd.nextInt(recent.size()));
          long[] v = truth.get(k);
          int f = g(k) == 2 ? (rnd.nextBoolean() ? 0 : 4) : rnd.nextInt(5);
          v[f] -= Math.min(v[f], 1 + rnd.nextInt(500));
          serve(k, v, max);
          regrow.add(k);
        }
        case 4 -> { // restart: only the committed checkpoint survives
          source = source();
          source.restore(checkpoint);
        }
        default -> {
          int fate = rnd.nextInt(4);
          if (fate == 0)
            FAKE.failOnce(
                rnd.nextBoolean() ? "completions" : "embeddings", rnd.nextInt(3), 500, null);
          Batch b;
          try {
            b = source.collect(now, new RecordingContext());
          } catch (SourceException e) {
            assertEquals("http_status", e.reason());
            continue;
          }
          if (fate == 1) continue; // the ledger commit failed: nothing moves
          count(b, counted);
          source.committed(b);
          checkpoint = b.checkpointJson();
        }
      }
    }
    for (K k : regrow) {
      long[] v = truth.get(k), m = max.get(k);
      for (int i = 0; i < 5; i++) v[i] = Math.max(v[i], m[i]);
      serve(k, v, max);
    }
    FAKE.clear();
    truth.forEach((k, v) -> serve(k, v, max));
    Batch last = source.collect(now, new RecordingContext());
    count(last, counted);
    truth.values().removeIf(v -> java.util.Arrays.stream(v).allMatch(x -> x == 0));
    assertEquals(truth.keySet(), counted.keySet());
    truth.forEach(
        (k, v) ->
            assertTrue(
                java.util.Arrays.equals(v, counted.get(k)),
                k
                    + " "
                    + java.util.Arrays.toString(v)
                    + " counted "
                    + java.util.Arrays.toString(counted.get(k))));
  }

  private static int g(K k) {
    return k.group();
  }

  private static long aligned(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), 60) * 60;
  }

  private static void serve(K k, long[] v, Map<K, long[]> max) {
    long[] m = max.computeIfAbsent(k, x -> new long[5]);
    for (int i = 0; i < 5; i++) m[i] = Math.max(m[i], v[i]);
    Row r = GROUP[k.group()];
    FAKE.set(
        ENDPOINT[k.group()],
        k.start(),
        new Row(
            r.projectId(),
            r.apiKeyId(),
            r.model(),
            r.batch(),
            r.serviceTier(),
            v[0] + v[1] + v[2],
            v[1],
            v[2],
            v[3],
            v[4]));
  }

  private static void count(Batch b, Map<K, long[]> counted) {
    for (UsageDelta u : b.usage()) {
      int group =
          switch (u.model()) {
            case "gpt-4o" -> 0;
            case "gpt-4o-mini" -> 1;
            default -> 2;
          };
      long[] c =
          counted.computeIfAbsent(new K(u.start().getEpochSecond(), group), x -> new long[5]);
      c[0] += u.tokens().input();
      c[1] += u.tokens().cacheRead();
      c[2] += u.tokens().cacheWrite();
      c[3] += u.tokens().output();
      c[4] += u.requests();
    }
  }
}
