package dev.aicost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.http.ReloadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reload coordinator: one reload at a time, requests coalesced, asking never waits. */
class ReloadQueueTest {
  @Test
  void requestsDuringAReloadShareTheNextOneAndNobodyBlocks() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1), releaseFirst = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    List<ReloadResult> seen = new ArrayList<>();
    try (ReloadQueue q =
        new ReloadQueue(
                () -> {
                  int n = started.incrementAndGet();
                  if (n == 1) {
                    firstStarted.countDown();
                    await(releaseFirst);
                  }
                  return new ReloadResult(true, "reload " + n);
                },
                r -> {
                  synchronized (seen) {
                    seen.add(r);
                  }
                })
            .start()) {
      CompletableFuture<ReloadResult> first = q.request();
      assertTrue(firstStarted.await(10, TimeUnit.SECONDS));
      List<CompletableFuture<ReloadResult>> later = new ArrayList<>();
      for (int i = 0; i < 20; i++)
        later.add(q.request()); // returns at once although a reload hangs
      assertFalse(first.isDone());
      assertTrue(later.stream().noneMatch(CompletableFuture::isDone));

      releaseFirst.countDown();
      assertEquals("reload 1", first.get(10, TimeUnit.SECONDS).message());
      for (CompletableFuture<ReloadResult> f : later) {
        assertEquals(
            "reload 2",
            f.get(10, TimeUnit.SECONDS).message(),
            "a request waits for a reload that began after it");
      }
      assertEquals(2, q.runs(), "21 requests, 2 reloads");
      assertEquals(2, started.get());
      synchronized (seen) {
        assertEquals(
            List.of("reload 1", "reload 2"), seen.stream().map(ReloadResult::message).toList());
      }
    }
  }

  @Test
  void aReloadThatThrowsIsAFailedReloadAndTheQueueCarriesOn() throws Exception {
    AtomicInteger n = new AtomicInteger();
    try (ReloadQueue q =
        new ReloadQueue(
                () -> {
                  if (n.incrementAndGet() == 1)
                    throw new IllegalStateException("bug at http://u:hunter2@h/");
                  return new ReloadResult(true, "ok");
                },
                r -> {})
            .start()) {
      ReloadResult failed = q.request().get(10, TimeUnit.SECONDS);
      assertFalse(failed.ok());
      assertFalse(failed.message().contains("hunter2"), failed.message());
      assertTrue(q.request().get(10, TimeUnit.SECONDS).ok());
    }
  }

  @Test
  void closedQueueAnswersAtOnce() throws Exception {
    ReloadQueue q = new ReloadQueue(() -> new ReloadResult(true, "ok"), r -> {}).start();
    q.close();
    ReloadResult r = q.request().get(1, TimeUnit.SECONDS);
    assertFalse(r.ok());
    assertEquals("the exporter is shutting down", r.message());
  }

  private static void await(CountDownLatch l) {
    try {
      l.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
