package dev.aicost.source.vllm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exactly-once deltas of upstream counters when one URL may be answered by several processes
 * (replicas behind a Kubernetes Service or load balancer) that also restart. Each page is matched
 * to the process that wrote it, and deltas are taken against that process's own last readings, so
 * interleaved replicas never look like resets of each other and the total equals the sum of what
 * each process counted.
 *
 * <p>Identity: the {@code _created} timestamps of the page's series (microsecond Unix times, unique
 * to a process) win; else {@code process_start_time_seconds}; a page with neither belongs to the
 * one process known without evidence (a decrease there is the only sign of a restart, so such an
 * upstream must not be load-balanced). Per series:
 *
 * <ul>
 *   <li>absent, NaN, infinite or negative: no reading, the last value stays (never a reset);
 *   <li>first seen: its whole value is new usage;
 *   <li>a changed {@code _created}, or a decrease without creation times: a reset, the value is the
 *       delta;
 *   <li>a decrease with an unchanged {@code _created}: impossible for a real counter, rejected;
 *   <li>above 2^53, or a rise faster than {@link #MAX_PER_SECOND} per second since the process was
 *       last read (or since it started, for a first sight): rejected; the last value stays.
 * </ul>
 *
 * A process not seen for {@code expiryMs} is forgotten; at most {@code maxProcesses} are kept (the
 * least recently seen goes first). Pure: returns the next state, keeps none.
 */
final class UpstreamProcesses {
  private UpstreamProcesses() {}

  /** Largest counter value accepted: beyond it a double no longer counts in ones. */
  static final double MAX_COUNTER = 9_007_199_254_740_992d; // 2^53

  /**
   * Fastest rise accepted per series, per second: far above any real engine (a GPU prefills ~1e5
   * tokens/s).
   */
  static final double MAX_PER_SECOND = 1e7;

  private static final double SAME = 1e-3;

  /** Last accepted raw value and creation time (NaN when unknown) of one series. */
  record Seen(double value, double created) {}

  /**
   * One upstream process.
   *
   * @param start its process_start_time_seconds, NaN when the page does not say
   * @param lastSeenMs when a page of it was last read
   */
  record Process(double start, long lastSeenMs, Map<String, Seen> series) {
    Process {
      series =
          java.util.Collections.unmodifiableMap(
              series); // built fresh for each page, never changed after
    }
  }

  /** Why a reading was not booked. */
  record Rejected(String key, double value, String why) {}

  /**
   * @param process the process that wrote the page, after it
   * @param previous the same process before this page; null when first seen
   * @param deltas new usage per series key (only positive entries)
   * @param forgotten processes dropped for expiry or the cap
   */
  record Result(
      Process process,
      Process previous,
      Map<String, Double> deltas,
      List<Rejected> rejected,
      List<Process> next,
      int forgotten) {
    boolean newProcess() {
      return previous == null;
    }
  }

  static Result read(
      List<Process> known,
      double pageStart,
      Map<String, Double> values,
      Map<String, Double> created,
      long nowMs,
      long expiryMs,
      int maxProcesses) {
    int match = match(known, pageStart, created);
    Process prev = match < 0 ? null : known.get(match);
    Map<String, Seen> series = new HashMap<>(prev == null ? Map.of() : prev.series());
    Map<String, Double> deltas = new HashMap<>();
    List<Rejected> rejected = new ArrayList<>();
    double sinceSeconds =
        prev != null ? (nowMs - prev.lastSeenMs()) / 1000.0 : sinceStart(pageStart, created, nowMs);
    for (Map.Entry<String, Double> e : values.entrySet()) {
      String key = e.getKey();
      double value = e.getValue();
      double createdAt = created.getOrDefault(key, Double.NaN);
      Seen before = series.get(key);
      if (value > MAX_COUNTER) {
        rejected.add(new Rejected(key, value, "above 2^53"));
        continue;
      }
      double delta;
      if (VllmPage.model(key).equals(VllmPage.OVERFLOW)) {
        // the sum of models beyond the cap: a model joining it adds its count, one leaving the page
        // lowers
        // it without any reset, so only a rise is usage (a reset of one of them is under-counted)
        delta = before == null ? value : Math.max(0, value - before.value());
        if (delta > 0) deltas.put(key, delta);
        series.put(key, new Seen(value, Double.NaN));
        continue;
      }
      if (before == null || createdChanged(before.created(), createdAt)) {
        delta = value;
      } else if (value < before.value()) {
        if (!Double.isNaN(before.created()) && !Double.isNaN(createdAt)) {
          rejected.add(
              new Rejected(
                  key, value, "decreased from " + fmt(before.value()) + " with the same _created"));
          continue;
        }
        delta = value; // no creation times: a decrease is the only sign of a restart
      } else {
        delta = value - before.value();
      }
      // a series new to a known process may have counted since its own creation (or the process
      // start)
      double since =
          before == null && prev != null
              ? Math.max(
                  sinceSeconds,
                  sinceStart(Double.isNaN(createdAt) ? prev.start() : createdAt, Map.of(), nowMs))
              : sinceSeconds;
      if (!Double.isNaN(since) && delta > MAX_PER_SECOND * Math.max(1, since)) {
        rejected.add(
            new Rejected(
                key, value, "rose by " + fmt(delta) + " in " + fmt(Math.max(0, since)) + " s"));
        continue;
      }
      if (delta > 0) deltas.put(key, delta);
      series.put(key, new Seen(value, createdAt));
    }
    double start = !Double.isNaN(pageStart) ? pageStart : prev != null ? prev.start() : Double.NaN;
    Process now =
        new Process(
            prev != null && !Double.isNaN(prev.start()) ? prev.start() : start, nowMs, series);

    List<Process> next = new ArrayList<>(known.size() + 1);
    int forgotten = 0;
    for (int i = 0; i < known.size(); i++) {
      if (i == match) continue;
      Process p = known.get(i);
      if (nowMs - p.lastSeenMs() > expiryMs) forgotten++;
      else next.add(p);
    }
    next.add(now);
    if (next.size() > maxProcesses) {
      next.sort(Comparator.comparingLong(Process::lastSeenMs).reversed());
      forgotten += next.size() - maxProcesses;
      next = new ArrayList<>(next.subList(0, maxProcesses));
    }
    return new Result(now, prev, deltas, rejected, List.copyOf(next), forgotten);
  }

  /**
   * The known process that wrote a page: the one sharing the most equal {@code _created} times;
   * else the one with the same process start (none of whose creation times disagree); else one
   * known without any evidence (an older checkpoint). A page with no evidence at all belongs to the
   * most recently seen process. -1 for a new process.
   */
  static int match(List<Process> known, double pageStart, Map<String, Double> created) {
    if (Double.isNaN(pageStart) && created.isEmpty()) return mostRecent(known);
    int best = -1, bestAgree = 0, sameStart = -1, noEvidence = -1;
    for (int i = 0; i < known.size(); i++) {
      Process p = known.get(i);
      int agree = 0, disagree = 0;
      for (Map.Entry<String, Double> c : created.entrySet()) {
        Seen s = p.series().get(c.getKey());
        if (s == null || Double.isNaN(s.created())) continue;
        if (Math.abs(s.created() - c.getValue()) <= SAME) agree++;
        else disagree++;
      }
      if (agree > bestAgree) {
        best = i;
        bestAgree = agree;
      }
      if (agree > 0 || disagree > 0) continue;
      if (!Double.isNaN(pageStart) && !Double.isNaN(p.start())) {
        if (Math.abs(pageStart - p.start()) <= SAME) sameStart = i;
      } else if (Double.isNaN(p.start()) && !hasCreated(p)) {
        // known without evidence (a page that never said, or an older checkpoint): the page now
        // says
        if (noEvidence < 0 || p.lastSeenMs() > known.get(noEvidence).lastSeenMs()) noEvidence = i;
      }
    }
    if (best >= 0) return best;
    if (sameStart >= 0) return sameStart;
    return noEvidence;
  }

  /** The most recently seen process; -1 when none. */
  private static int mostRecent(List<Process> known) {
    int best = -1;
    for (int i = 0; i < known.size(); i++) {
      if (best < 0 || known.get(i).lastSeenMs() > known.get(best).lastSeenMs()) best = i;
    }
    return best;
  }

  private static boolean hasCreated(Process p) {
    for (Seen s : p.series().values()) if (!Double.isNaN(s.created())) return true;
    return false;
  }

  /**
   * Seconds the page's process has been counting: since its start, else its oldest series; NaN if
   * unknown.
   */
  private static double sinceStart(double pageStart, Map<String, Double> created, long nowMs) {
    double t = pageStart;
    for (double c : created.values()) if (Double.isNaN(t) || c < t) t = c;
    if (Double.isNaN(t)) return Double.NaN;
    return Math.max(0, nowMs / 1000.0 - t);
  }

  private static boolean createdChanged(double before, double now) {
    return !Double.isNaN(before) && !Double.isNaN(now) && Math.abs(before - now) > SAME;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
