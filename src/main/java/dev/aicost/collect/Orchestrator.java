package dev.aicost.collect;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every source on its own interval, each on its own thread, so a slow or hanging upstream
 * delays nobody else and never the scrape. Times each run, catches its failure, hands good batches
 * to the sink, and keeps each collector's health for the same scrape.
 */
public final class Orchestrator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);

  /** Reasons the orchestrator itself reports for any source. */
  static final List<String> ORCHESTRATOR_REASONS = List.of("internal", "ledger");

  private final Clock clock;
  private final BatchSink sink;
  private final Map<String, CollectorHealth> health = new ConcurrentHashMap<>();
  private final List<Running> running = new ArrayList<>();
  private final Map<Source, Running> bySource = new ConcurrentHashMap<>();

  /** collector → first failure of its current failing spell (for the recovery line). */
  private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();

  private final Runnable afterRun;

  /**
   * @param afterRun called after every run, good or bad (the exposition re-renders)
   */
  public Orchestrator(Clock clock, BatchSink sink, Runnable afterRun) {
    this.clock = clock;
    this.sink = sink;
    this.afterRun = afterRun;
  }

  /** Starts a source: restores its checkpoint, runs it at once, then every interval. */
  public synchronized void start(Source source, String checkpointJson) {
    CollectorHealth h = health.computeIfAbsent(source.name(), CollectorHealth::new);
    h.knownErrors(source.errorReasons());
    h.knownErrors(ORCHESTRATOR_REASONS);
    source.restore(checkpointJson);
    ScheduledExecutorService exec =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "collect-" + source.name());
              t.setDaemon(true);
              return t;
            });
    Running r = new Running(source, exec);
    running.add(r);
    bySource.put(source, r);
    long ms = source.interval().toMillis();
    exec.scheduleWithFixedDelay(
        () -> {
          try {
            runOnce(source, h);
          } catch (Throwable last) {
            // runOnce reports everything itself; this only keeps the schedule alive if even that
            // failed
            // (a task that throws is cancelled silently by the executor)
          }
        },
        0,
        ms,
        TimeUnit.MILLISECONDS);
  }

  /**
   * One collect → sink → commit cycle, then the re-render. Public so tests and benchmarks drive it
   * deterministically. Never throws: any failure, Errors included, is the collector's health.
   */
  public void runOnce(Source source, CollectorHealth h) {
    collectAndCommit(source, h);
    long t0 = System.nanoTime();
    try {
      afterRun.run();
    } catch (Throwable e) {
      // the exposition keeps its previous body until a later run renders
      internal(source, h, "render", e, t0, true);
    }
  }

  private void collectAndCommit(Source source, CollectorHealth h) {
    long t0 = System.nanoTime();
    Instant now = clock.instant();
    try {
      Batch batch = source.collect(now, context(h));
      Running r = bySource.get(source);
      if (r == null) {
        commit(source, batch, now);
      } else {
        // A source stopped by a reload must not commit late: its successor already restored the
        // checkpoint.
        synchronized (r) {
          if (r.stopped) return;
          commit(source, batch, now);
        }
      }
      h.succeeded(now.toEpochMilli() / 1000.0, seconds(t0));
      recovered(source.name(), now);
    } catch (SourceException e) {
      boolean changed = failing(h, e.reason(), now);
      h.failed(e.reason(), e.getMessage(), seconds(t0));
      if (changed)
        log.warn(
            "event=collect_failed collector={} reason={} error=\"{}\"",
            source.name(),
            e.reason(),
            e.getMessage());
      else
        log.debug(
            "event=collect_failed collector={} reason={} error=\"{}\"",
            source.name(),
            e.reason(),
            e.getMessage());
    } catch (SinkException e) {
      boolean changed = failing(h, e.reason(), now);
      h.failed(e.reason(), e.getMessage(), seconds(t0));
      if (changed)
        log.error(
            "event=ledger_commit_failed collector={} error=\"{}\" effect=\"usage kept upstream, retried next run\"",
            source.name(),
            e.getMessage());
      else
        log.debug(
            "event=ledger_commit_failed collector={} error=\"{}\"", source.name(), e.getMessage());
    } catch (Throwable e) {
      // A bug, or an Error (OutOfMemoryError, StackOverflowError), must not kill the schedule or
      // leave
      // the collector "starting" for ever: report it and carry on; nothing was committed.
      internal(source, h, "collect", e, t0, failing(h, "internal", now));
    }
  }

  /**
   * Call before {@code h.failed}: true when this failure changes the collector's state (it was
   * fine, or failed for another reason), so a dead source logs once per change instead of every
   * interval.
   */
  private boolean failing(CollectorHealth h, String reason, Instant now) {
    boolean changed = !h.everRan() || h.success() || !reason.equals(h.lastErrorReason());
    failingSince.putIfAbsent(h.collector(), now);
    return changed;
  }

  private void recovered(String collector, Instant now) {
    Instant since = failingSince.remove(collector);
    if (since != null) {
      log.info(
          "event=collect_recovered collector={} failed_for={}s",
          collector,
          Math.max(0, now.getEpochSecond() - since.getEpochSecond()));
    }
  }

  /**
   * Health reason {@code internal} and one log line, allocating little (this may be an
   * OutOfMemoryError).
   */
  private static void internal(
      Source source, CollectorHealth h, String stage, Throwable e, long t0, boolean changed) {
    String error =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    h.failed("internal", error, seconds(t0));
    if (!changed) {
      log.debug(
          "event=collect_internal_error collector={} stage={} error=\"{}\"",
          source.name(),
          stage,
          error);
      return;
    }
    log.error(
        "event=collect_internal_error collector={} stage={} error=\"{}\" at={}",
        source.name(),
        stage,
        error,
        where(e));
  }

  /**
   * The innermost frame of our own code (a JDK frame such as StringBuilder.<init> says little),
   * else the innermost.
   */
  private static String where(Throwable e) {
    StackTraceElement[] trace = e.getStackTrace();
    if (trace.length == 0) return "unknown";
    StackTraceElement at = trace[0];
    for (StackTraceElement f : trace) {
      if (f.getClassName().startsWith("dev.aicost.")) {
        at = f;
        break;
      }
    }
    return at.getClassName() + "." + at.getMethodName() + ":" + at.getLineNumber();
  }

  private void commit(Source source, Batch batch, Instant now) throws Exception {
    sink.accept(source.name(), batch, now);
    source.committed(batch);
  }

  private static SourceContext context(CollectorHealth h) {
    return new SourceContext() {
      @Override
      public void upstreamCall(String operation, String outcome) {
        h.upstreamCall(operation, outcome);
      }

      @Override
      public void partialError(String reason, String message) {
        h.countError(reason);
        log.warn(
            "event=collect_partial_error collector={} reason={} error=\"{}\"",
            h.collector(),
            reason,
            message);
      }

      @Override
      public void upstreamProcesses(int count) {
        h.upstreamProcesses(count);
      }

      @Override
      public void upstreamCost(double usd) {
        h.apiCost(usd);
      }
    };
  }

  public CollectorHealth health(String collector) {
    return health.computeIfAbsent(collector, CollectorHealth::new);
  }

  public List<CollectorHealth> health() {
    List<CollectorHealth> list = new ArrayList<>(health.values());
    list.sort((a, b) -> a.collector().compareTo(b.collector()));
    return list;
  }

  public synchronized List<Source> sources() {
    return running.stream().map(r -> r.source).toList();
  }

  /** Stops every source and forgets health of those not restarted (used by reload). */
  public synchronized void stopAll() {
    for (Running r : running) {
      synchronized (r) {
        r.stopped = true; // waits for a commit in progress; none starts after this
      }
      r.exec.shutdownNow();
      try {
        r.exec.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      r.source.close();
      bySource.remove(r.source);
    }
    running.clear();
  }

  public synchronized void forgetHealthExcept(java.util.Set<String> keep) {
    health.keySet().retainAll(keep);
  }

  @Override
  public void close() {
    stopAll();
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static final class Running {
    final Source source;
    final ScheduledExecutorService exec;
    boolean stopped; // guarded by this

    Running(Source source, ScheduledExecutorService exec) {
      this.source = source;
      this.exec = exec;
    }
  }
}
