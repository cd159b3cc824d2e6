package dev.aicost;

import dev.aicost.http.ReloadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces reload requests (SIGHUP, POST /-/reload) onto one thread: at most one reload runs at a
 * time, and every request waiting when a reload begins gets that reload's result, so a reload
 * always reads the file as it was after the request. Requesting never blocks; 20 requests during
 * one slow reload cost one more reload, not 20.
 */
final class ReloadQueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReloadQueue.class);

  private final Supplier<ReloadResult> reload;
  private final Consumer<ReloadResult> after;
  private final Thread worker;
  private List<CompletableFuture<ReloadResult>> waiting = new ArrayList<>(); // guarded by this
  private boolean closed; // guarded by this
  private volatile long runs;

  /**
   * @param after called on the reload thread with each result (the reload metrics)
   */
  ReloadQueue(Supplier<ReloadResult> reload, Consumer<ReloadResult> after) {
    this.reload = reload;
    this.after = after;
    this.worker = new Thread(this::work, "reload");
    worker.setDaemon(true);
  }

  ReloadQueue start() {
    worker.start();
    return this;
  }

  /** The result of a reload that starts after this call. */
  CompletableFuture<ReloadResult> request() {
    CompletableFuture<ReloadResult> f = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        f.complete(new ReloadResult(false, "the exporter is shutting down"));
        return f;
      }
      waiting.add(f);
      notifyAll();
    }
    return f;
  }

  /** Reloads run so far. */
  long runs() {
    return runs;
  }

  private void work() {
    while (true) {
      List<CompletableFuture<ReloadResult>> batch;
      synchronized (this) {
        while (waiting.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            closed = true;
          }
        }
        if (closed) return;
        batch = waiting;
        waiting = new ArrayList<>();
      }
      ReloadResult r;
      try {
        r = reload.get();
      } catch (RuntimeException e) {
        log.error(
            "event=reload_failed error=\"{}\"", dev.aicost.config.Secrets.redact(e.toString()));
        r = new ReloadResult(false, "reload failed: " + e.getClass().getSimpleName());
      }
      runs++;
      after.accept(r);
      for (CompletableFuture<ReloadResult> f : batch) f.complete(r);
    }
  }

  @Override
  public void close() {
    List<CompletableFuture<ReloadResult>> left;
    synchronized (this) {
      closed = true;
      left = waiting;
      waiting = new ArrayList<>();
      notifyAll();
    }
    left.forEach(f -> f.complete(new ReloadResult(false, "the exporter is shutting down")));
    if (Thread.currentThread() != worker) {
      try {
        worker.join(15_000); // let a reload in progress finish before the pipeline is torn down
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
