package dev.aicost.source.buckets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.source.buckets.BucketTally.Key;
import dev.aicost.source.buckets.BucketTally.Result;
import dev.aicost.source.buckets.BucketTally.State;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Exactly once over an upstream that revises its buckets: usage lands late (a bucket keeps growing
 * while it is inside the revision window), polls fail (nothing committed), the exporter is down for
 * a while (polls skipped) or restarts (state only from its checkpoint JSON). Ground truth: the sum
 * of every bucket's final value; what was emitted and committed must equal it exactly.
 */
class BucketTallyProperties {
  private static final String[] GROUPS = {
    BucketTally.group("p1", "gpt-4o"),
    BucketTally.group("p2", "gpt-4o"),
    BucketTally.group(null, "o3")
  };

  @Property(tries = 300)
  void committedGrowthEqualsFinalTruth(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 6) int window,
      @ForAll @IntRange(min = 1, max = 40) int steps) {
    Random rnd = new Random(seed);
    BucketTally tally = new BucketTally(3);
    Map<Key, long[]> truth = new HashMap<>();
    State committed = State.initial(0);
    long[] emitted = new long[3];
    for (int t = 0; t <= steps + window + 1; t++) {
      // usage lands in bucket b < t only while t - b < window (the upstream's revision period)
      if (t <= steps) {
        for (int n = rnd.nextInt(4); n > 0; n--) {
          int b = t - 1 - rnd.nextInt(window);
          if (b < 0) continue;
          Key k = new Key(b, GROUPS[rnd.nextInt(GROUPS.length)]);
          long[] v = truth.computeIfAbsent(k, x -> new long[3]);
          v[rnd.nextInt(3)] += 1 + rnd.nextInt(1000);
        }
      }
      int fate = rnd.nextInt(10);
      if (fate == 0) continue; // exporter down: no poll at all
      if (fate == 1) committed = State.fromJson(committed.toJson()); // restart
      Map<Key, long[]> readings = new HashMap<>();
      for (Map.Entry<Key, long[]> e : truth.entrySet()) {
        long start = e.getKey().start();
        if (start >= committed.floor() && start < t) readings.put(e.getKey(), e.getValue().clone());
      }
      Result r = tally.reconcile(committed, readings, t - window);
      assertEquals(0, r.ignored(), "only buckets from the floor were read");
      assertEquals(0, r.shrinks().size(), "truth never shrinks here");
      if (fate == 2) continue; // the commit failed: neither records nor state moved
      for (BucketTally.Change c : r.growth()) {
        for (int i = 0; i < 3; i++) emitted[i] += c.get(i);
      }
      committed = r.next();
    }
    // a last poll once every bucket is final and visible
    long last = steps + window + 2;
    Map<Key, long[]> readings = new HashMap<>();
    truth.forEach(
        (k, v) -> {
          if (k.start() >= 0) readings.put(k, v.clone());
        });
    Result r = tally.reconcile(committed, readings, last);
    for (BucketTally.Change c : r.growth()) {
      for (int i = 0; i < 3; i++) emitted[i] += c.get(i);
    }
    long[] want = new long[3];
    truth
        .values()
        .forEach(
            v -> {
              for (int i = 0; i < 3; i++) want[i] += v[i];
            });
    for (int i = 0; i < 3; i++) assertEquals(want[i], emitted[i], "field " + i);
  }
}
