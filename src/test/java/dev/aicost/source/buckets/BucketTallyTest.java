package dev.aicost.source.buckets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.source.buckets.BucketTally.Key;
import dev.aicost.source.buckets.BucketTally.Result;
import dev.aicost.source.buckets.BucketTally.State;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BucketTallyTest {
  private final BucketTally tally = new BucketTally(2);
  private final String g = BucketTally.group("proj-1", null, "gpt-4o");

  @Test
  void aBucketThatGrowsIsCountedOnlyByWhatItGrew() {
    State s = State.initial(0);
    Result r1 = tally.reconcile(s, Map.of(new Key(3600, g), new long[] {100, 1}), 0);
    assertArrayEquals(new long[] {100, 1}, r1.growth().get(0).delta());
    Result r2 = tally.reconcile(r1.next(), Map.of(new Key(3600, g), new long[] {150, 1}), 0);
    assertEquals(1, r2.growth().size());
    assertArrayEquals(new long[] {50, 0}, r2.growth().get(0).delta());
    Result r3 = tally.reconcile(r2.next(), Map.of(new Key(3600, g), new long[] {150, 1}), 0);
    assertTrue(r3.growth().isEmpty(), "a repeated read adds nothing");
  }

  @Test
  void aShrinkIsReportedNeverEmittedAndRegrowthIsNotCountedTwice() {
    Result r1 = tally.reconcile(State.initial(0), Map.of(new Key(0, g), new long[] {100, 4}), 0);
    Result r2 = tally.reconcile(r1.next(), Map.of(new Key(0, g), new long[] {90, 4}), 0);
    assertTrue(r2.growth().isEmpty());
    assertArrayEquals(new long[] {10, 0}, r2.shrinks().get(0).delta());
    Result r3 = tally.reconcile(r2.next(), Map.of(new Key(0, g), new long[] {120, 5}), 0);
    assertArrayEquals(new long[] {20, 1}, r3.growth().get(0).delta(), "only beyond the maximum");
  }

  @Test
  void bucketsBeforeTheFloorAreFinalAndIgnored() {
    Result r1 = tally.reconcile(State.initial(0), Map.of(new Key(0, g), new long[] {7, 1}), 60);
    assertEquals(60, r1.next().floor());
    assertTrue(r1.next().counted().isEmpty(), "pruned");
    Result r2 = tally.reconcile(r1.next(), Map.of(new Key(0, g), new long[] {9, 1}), 60);
    assertTrue(r2.growth().isEmpty());
    assertEquals(1, r2.ignored());
    Result r3 = tally.reconcile(r2.next(), Map.of(), 0);
    assertEquals(60, r3.next().floor(), "the floor never moves back");
  }

  @Test
  void reconcileDoesNotChangeTheCommittedState() {
    State s = tally.reconcile(State.initial(0), Map.of(new Key(0, g), new long[] {1, 1}), 0).next();
    String before = s.toJson();
    tally.reconcile(s, Map.of(new Key(0, g), new long[] {5, 2}), 0);
    assertEquals(before, s.toJson());
    long[] leaked = s.countedFor(new Key(0, g), 2);
    leaked[0] = 99;
    assertEquals(before, s.toJson());
  }

  @Test
  void stateRoundTripsThroughItsCheckpoint() {
    State s =
        tally
            .reconcile(
                State.initial(0),
                Map.of(
                    new Key(0, g),
                    new long[] {1, 2},
                    new Key(60, BucketTally.group("a\"b", "ü")),
                    new long[] {3, 4}),
                0)
            .next();
    State back = State.fromJson(s.toJson());
    assertEquals(s, back);
    assertEquals(List.of("a\"b", "ü"), BucketTally.groupValues(BucketTally.group("a\"b", "ü")));
    assertEquals(Arrays.asList("proj-1", null, "gpt-4o"), BucketTally.groupValues(g));
  }

  @Test
  void malformedCheckpointsAndReadingsAreRefusedClearly() {
    assertThrows(IllegalArgumentException.class, () -> State.fromJson("not json"));
    assertThrows(IllegalArgumentException.class, () -> State.fromJson("{\"version\":1}"));
    assertThrows(
        IllegalArgumentException.class,
        () -> State.fromJson("{\"version\":1,\"floor\":0,\"buckets\":[[0,\"[]\",[-1]]]}"));
    assertThrows(
        IllegalArgumentException.class,
        () -> tally.reconcile(State.initial(0), Map.of(new Key(0, g), new long[] {1}), 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> tally.reconcile(State.initial(0), Map.of(new Key(0, g), new long[] {1, -1}), 0));
  }

  @Test
  void alignDownIsUtcBuckets() {
    assertEquals(3600, BucketTally.alignDown(7199, 3600));
    assertEquals(-3600, BucketTally.alignDown(-1, 3600));
  }
}
