package dev.aicost.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * A collector thread never dies silently: an Error (OutOfMemoryError, StackOverflowError) thrown by
 * a source, by the accounting behind the sink or by the re-render after a run is reported in the
 * collector's health with reason {@code internal}, and the schedule goes on.
 */
class OrchestratorTest {
  /**
   * A source whose n-th collect (from 1) does what {@code behaviour} says: throw, or return an
   * empty batch.
   */
  private static final class ScriptedSource implements Source {
    final AtomicInteger collects = new AtomicInteger();
    final AtomicInteger commits = new AtomicInteger();
    final IntFunction<Throwable> behaviour;

    ScriptedSource(IntFunction<Throwable> behaviour) {
      this.behaviour = behaviour;
    }

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public Duration interval() {
      return Duration.ofMillis(20);
    }

    @Override
    public void restore(String checkpointJson) {}

    @Override
    public Batch collect(Instant now, SourceContext ctx) {
      Throwable t = behaviour.apply(collects.incrementAndGet());
      if (t instanceof Error e) throw e;
      if (t instanceof RuntimeException e) throw e;
      return Batch.of(List.of(), List.of(), "{}", null);
    }

    @Override
    public void committed(Batch batch) {
      commits.incrementAndGet();
    }
  }

  private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s");
      Thread.sleep(5);
    }
  }

  @Test
  void stackOverflowInACollectIsReportedAndTheScheduleGoesOn() throws Exception {
    ScriptedSource src = new ScriptedSource(n -> n == 1 ? new StackOverflowError() : null);
    try (Orchestrator o = new Orchestrator(Clock.systemUTC(), (s, b, now) -> {}, () -> {})) {
      o.start(src, null);
      await(() -> src.commits.get() >= 2);
      CollectorHealth h = o.health("scripted");
      long[] internal = {0};
      h.forEachError(
          (reason, n) -> {
            if (reason.equals("internal")) internal[0] = n;
          });
      assertEquals(1, internal[0], "the failed run counts as an internal error");
      assertTrue(h.success(), "later runs succeed");
    }
  }

  @Test
  void outOfMemoryInTheSinkIsHealthNotASilentDeath() {
    ScriptedSource src = new ScriptedSource(n -> null);
    BatchSink sink =
        (s, b, now) -> {
          throw new OutOfMemoryError("Java heap space");
        };
    Orchestrator o = new Orchestrator(Clock.systemUTC(), sink, () -> {});
    CollectorHealth h = o.health("scripted");
    o.runOnce(src, h);
    assertTrue(h.everRan(), "the status page leaves \"starting\"");
    assertFalse(h.success());
    assertEquals("internal", h.lastErrorReason());
    assertEquals("OutOfMemoryError: Java heap space", h.lastError());
    assertEquals(0, src.commits.get(), "nothing committed, so the next run covers the same usage");
  }

  @Test
  void anErrorInTheRenderAfterARunDoesNotEndTheSchedule() throws Exception {
    ScriptedSource src = new ScriptedSource(n -> null);
    AtomicInteger renders = new AtomicInteger();
    Runnable render =
        () -> {
          if (renders.incrementAndGet() == 1) throw new OutOfMemoryError("Java heap space");
        };
    try (Orchestrator o = new Orchestrator(Clock.systemUTC(), (s, b, now) -> {}, render)) {
      o.start(src, null);
      await(() -> renders.get() >= 3);
      assertTrue(src.collects.get() >= 3);
    }
  }
}
