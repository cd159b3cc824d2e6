package dev.aicost.source.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Exactly-once accounting of upstream counters: whatever mix of increments and restarts the
 * upstream goes through between reads, the deltas add up to what it really counted, and are never
 * negative. (A restart is visible by its new _created timestamp, as in vLLM V1.)
 */
class SeriesDeltasProperties {
  /** What happens to one series between two reads. */
  record Step(long increment, boolean restart, long afterRestart) {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step = Combinators.combine(
            Arbitraries.longs().between(0, 1_000_000),
            Arbitraries.of(true, false, false, false, false),
            Arbitraries.longs().between(0, 2_000_000))
        .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 500)
  void deltasSumToGroundTruth(@ForAll("histories") List<Step> history, @ForAll boolean twoSeries) {
    Map<String, SeriesDeltas.Seen> state = new HashMap<>();
    double value = 0, created = 1000, truth = 0, counted = 0;
    for (Step s : history) {
      if (s.restart()) {
        value = s.afterRestart(); // what it counted since restarting (may exceed the old value)
        created += 10;
        truth += s.afterRestart();
      } else {
        value += s.increment();
        truth += s.increment();
      }
      Map<String, Double> values = new HashMap<>();
      values.put("prompt|m|0|", value);
      if (twoSeries) values.put("prompt|m|1|", 7.0); // a steady neighbour never disturbs the sum
      SeriesDeltas.Result r = SeriesDeltas.compute(state, values, Map.of("prompt|m|0|", created), false);
      for (double d : r.deltas().values()) assertTrue(d >= 0, "never a negative delta");
      counted += r.deltas().getOrDefault("prompt|m|0|", 0.0);
      state = r.next();
    }
    assertEquals(truth, counted, 1e-6);
  }

  @Property(tries = 200)
  void withoutCreatedTimestampsADecreaseIsAReset(@ForAll("histories") List<Step> history) {
    Map<String, SeriesDeltas.Seen> state = new HashMap<>();
    double value = 0, counted = 0, truth = 0;
    for (Step s : history) {
      double before = value;
      if (s.restart() && s.afterRestart() < before) {
        value = s.afterRestart();
        truth += s.afterRestart();
      } else {
        value += s.increment();
        truth += s.increment();
      }
      SeriesDeltas.Result r = SeriesDeltas.compute(state, Map.of("k", value), Map.of(), false);
      counted += r.deltas().getOrDefault("k", 0.0);
      state = r.next();
    }
    assertEquals(truth, counted, 1e-6);
  }
}
