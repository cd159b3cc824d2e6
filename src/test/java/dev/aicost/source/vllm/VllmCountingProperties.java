package dev.aicost.source.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.model.UsageDelta;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.RecordingContext;
import dev.aicost.testing.VllmPageBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import okhttp3.OkHttpClient;

/**
 * Exactly-once counting of vLLM counters against whatever a URL serves: several replicas answering
 * in turn, replicas restarting, series missing from a page, NaN, duplicated lines, uncommitted
 * batches and exporter restarts from the checkpoint. Ground truth: for every upstream process, the
 * last value of each of its series that a committed read saw (first sight books the history;
 * afterwards only growth). Pages go over HTTP through the real client and parser.
 */
class VllmCountingProperties {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final String[] MODELS = {"m-a", "m-b"};
  private static final String[] ENGINES = {"0", "1"};
  private static FakeVllmServer vllm;
  private static final OkHttpClient HTTP = new OkHttpClient();

  @BeforeContainer
  static void start() {
    vllm = new FakeVllmServer();
  }

  @AfterContainer
  static void stop() {
    vllm.close();
  }

  /** One upstream process: its identity and its counters (model|engine -> prompt tokens). */
  static final class Replica {
    double start;
    double created;
    final Map<String, Long> prompt = new HashMap<>();

    /** Per series: the last value a committed read of this process saw. */
    final Map<String, Long> seen = new HashMap<>();
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  @Property(tries = 150)
  void countedTotalsEqualGroundTruth(@ForAll("seeds") long seed, @ForAll boolean withCreated)
      throws Exception {
    Random rnd = new Random(seed);
    int replicaCount = 1 + rnd.nextInt(3);
    double clock = T0.getEpochSecond() - 86_400;
    List<Replica> replicas = new ArrayList<>();
    List<Replica> retired = new ArrayList<>();
    for (int i = 0; i < replicaCount; i++)
      replicas.add(newReplica(rnd, clock + i * 37.5, rnd.nextInt(1_000_000)));

    VllmSource source = source();
    String checkpoint = null;
    long counted = 0;
    int steps = 10 + rnd.nextInt(40);
    for (int step = 0; step < steps; step++) {
      Instant now = T0.plusSeconds(15L * step);
      for (Replica r : replicas) { // traffic
        for (String k : r.prompt.keySet())
          if (rnd.nextInt(3) > 0) r.prompt.merge(k, (long) rnd.nextInt(200_000), Long::sum);
      }
      if (rnd.nextInt(12) == 0) { // a replica restarts: a new process with counters from zero
        int i = rnd.nextInt(replicas.size());
        retired.add(replicas.get(i));
        replicas.set(
            i, newReplica(rnd, now.getEpochSecond() - 1 - rnd.nextInt(10), rnd.nextInt(5_000)));
      }
      if (rnd.nextInt(15) == 0) { // the exporter restarts from its last committed checkpoint
        source = source();
        source.restore(checkpoint);
      }
      Replica answering = replicas.get(rnd.nextInt(replicas.size()));
      Map<String, Long> pageValues = new HashMap<>();
      VllmPageBuilder page = new VllmPageBuilder().processStart(answering.start);
      for (Map.Entry<String, Long> e : answering.prompt.entrySet()) {
        String[] me = e.getKey().split("\\|");
        String labels = "engine=\"" + me[1] + "\",model_name=\"" + me[0] + "\"";
        int fate = rnd.nextInt(10);
        if (fate == 0) continue; // missing from this page
        if (fate == 1) {
          page.counter("vllm:prompt_tokens", labels, Double.NaN);
        } else {
          page.counter("vllm:prompt_tokens", labels, e.getValue());
          pageValues.put(e.getKey(), e.getValue());
          if (fate == 2)
            page.counter("vllm:prompt_tokens", labels, e.getValue()); // the same line twice
        }
        if (withCreated)
          page.created(
              "vllm:prompt_tokens", labels, answering.created + me[1].hashCode() % 7 * 0.001);
      }
      vllm.page(page.toString());
      RecordingContext ctx = new RecordingContext();
      Batch b = source.collect(now, ctx);
      long prompt =
          b.usage().stream().mapToLong(u -> u.tokens().input() + u.tokens().cacheRead()).sum();
      for (UsageDelta u : b.usage()) assertTrue(u.tokens().total() >= 0);
      if (rnd.nextInt(10) == 0)
        continue; // the ledger write failed: nothing committed, read again next time
      source.committed(b);
      checkpoint = b.checkpointJson();
      counted += prompt;
      answering.seen.putAll(pageValues);
    }
    long truth = 0;
    for (List<Replica> group : List.of(replicas, retired)) {
      for (Replica r : group) for (long v : r.seen.values()) truth += v;
    }
    assertEquals(truth, counted, "seed " + seed);
  }

  private static Replica newReplica(Random rnd, double start, long history) {
    Replica r = new Replica();
    r.start = start;
    r.created = start + 2 + rnd.nextInt(1000) / 1000.0;
    for (String m : MODELS)
      for (String e : ENGINES) r.prompt.put(m + "|" + e, history + rnd.nextInt(1000));
    return r;
  }

  private static VllmSource source() {
    return new VllmSource(
        new VllmSourceConfig(
            "d",
            vllm.url(),
            Duration.ofSeconds(15),
            Duration.ofSeconds(2),
            1,
            null,
            null,
            null,
            null),
        HTTP,
        16L << 20,
        1024);
  }

  /**
   * One process without process start or _created times (nothing to tell processes apart by): a
   * decrease is the only sign of a restart, and then the new value is what was counted since.
   */
  @Property(tries = 200)
  void withoutEvidenceADecreaseIsAReset(@ForAll("seeds") long seed) throws SourceException {
    Random rnd = new Random(seed);
    VllmSource source = source();
    long value = rnd.nextInt(1_000_000), truth = value, counted = 0;
    for (int step = 0; step < 30; step++) {
      if (step == 0) {
        // the first read books the history
      } else if (rnd.nextInt(8) == 0) {
        value = rnd.nextInt((int) Math.max(1, value)); // restarted and counted less than before
        truth += value;
      } else {
        long inc = rnd.nextInt(100_000);
        value += inc;
        truth += inc;
      }
      vllm.page(
          new VllmPageBuilder()
              .counter("vllm:prompt_tokens", "model_name=\"m\"", value)
              .toString());
      Batch b = source.collect(T0.plusSeconds(15L * step), new RecordingContext());
      source.committed(b);
      counted += b.usage().stream().mapToLong(u -> u.tokens().input()).sum();
    }
    assertEquals(truth, counted, "seed " + seed);
  }
}
