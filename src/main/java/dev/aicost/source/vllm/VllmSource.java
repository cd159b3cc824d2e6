package dev.aicost.source.vllm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.collect.Batch;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.httpclient.BodyTooLargeException;
import dev.aicost.httpclient.CappedBody;
import dev.aicost.metrics.LabelValues;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one vLLM deployment's {@code /metrics} and emits token and request deltas per served model,
 * plus the deployment's GPU time since the last read.
 *
 * <p>Tokens: input = prompt minus cache reads, cache_read = prefix-cache hits, output = generation.
 * Deltas are taken per (model, engine) series and summed afterwards, so an engine restarting or
 * disappearing never looks like a reset of the others. The first read of a deployment (no
 * checkpoint) books the counters' whole history, so totals equal vLLM's own counters; that usage is
 * dated from the vLLM process start (or the series' creation) so trailing-window gauges spread it
 * out instead of reading it as one interval. GPU time is booked from the first read on.
 */
public final class VllmSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(VllmSource.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String PROVIDER = LabelValues.SELF_HOSTED;
  public static final String SERVICE = LabelValues.SERVICE_VLLM;

  /** The reasons collect and its partial errors report (aicost_collector_errors_total). */
  public static final List<String> ERROR_REASONS =
      List.of(
          "bad_label",
          "bad_value",
          "connect",
          "duplicate_series",
          "http_status",
          "io",
          PromTextParser.LABEL_TOO_LONG,
          "parse",
          "timeout",
          "too_large");

  /** Most processes remembered per URL; the least recently seen is forgotten first. */
  static final int MAX_PROCESSES = 256;

  /** Processes that answered within this span are reported by aicost_upstream_processes. */
  static final long ACTIVE_MS = 3_600_000;

  private final VllmSourceConfig cfg;
  private final OkHttpClient http;
  private final Request request;
  private final PromTextParser parser;
  private final long maxBytes;
  private final int maxModels;
  private final String safeTarget;
  private volatile State state = State.EMPTY;
  private volatile boolean cacheUnknownLogged;

  /**
   * Committed state: each upstream process's last readings, and the deployment's last read time.
   */
  record State(List<UpstreamProcesses.Process> processes, long lastReadMs) {
    static final State EMPTY = new State(List.of(), 0);
  }

  /** Checkpoint form of one process; series as key -> [value, created]. */
  record ProcessCheckpoint(Double start, long lastSeenMs, Map<String, double[]> series) {}

  /**
   * Checkpoint form of {@link State}. {@code series} and {@code processStart} are the
   * single-process form written before replicas were tracked; they are read as one process.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Checkpoint(
      List<ProcessCheckpoint> processes,
      long lastReadMs,
      Map<String, double[]> series,
      Double processStart) {}

  public VllmSource(
      VllmSourceConfig cfg, OkHttpClient sharedClient, long maxBytes, int maxLabelValueLength) {
    this(cfg, sharedClient, maxBytes, maxLabelValueLength, 1000);
  }

  /**
   * @param maxModels models tracked apart per URL ({@code limits.max_models_per_source}); more fold
   *     into __overflow__
   */
  public VllmSource(
      VllmSourceConfig cfg,
      OkHttpClient sharedClient,
      long maxBytes,
      int maxLabelValueLength,
      int maxModels) {
    this.cfg = cfg;
    this.maxModels = maxModels;
    this.http =
        sharedClient
            .newBuilder()
            .callTimeout(cfg.timeout())
            .connectTimeout(cfg.timeout())
            .readTimeout(cfg.timeout())
            .build();
    this.maxBytes = maxBytes;
    this.parser = new PromTextParser(maxLabelValueLength);
    URI uri = URI.create(cfg.url());
    Request.Builder rb =
        new Request.Builder()
            .url(withoutUserInfo(uri))
            .header("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
            .header("User-Agent", "aicost-exporter")
            // a fresh connection per read lets a Service or load balancer spread reads over every
            // replica
            .header("Connection", "close");
    if (uri.getRawUserInfo() != null) {
      String[] up = uri.getUserInfo().split(":", 2);
      rb.header("Authorization", Credentials.basic(up[0], up.length > 1 ? up[1] : ""));
    }
    this.request = rb.build();
    this.safeTarget = withoutUserInfo(uri);
  }

  @Override
  public List<String> errorReasons() {
    return ERROR_REASONS;
  }

  @Override
  public String name() {
    return "vllm/" + cfg.name();
  }

  /** The URL without any user:password, for the status page and logs. */
  @Override
  public String target() {
    return safeTarget;
  }

  @Override
  public Duration interval() {
    return cfg.interval();
  }

  @Override
  public void restore(String checkpointJson) {
    if (checkpointJson == null) return;
    try {
      Checkpoint cp = JSON.readValue(checkpointJson, Checkpoint.class);
      List<UpstreamProcesses.Process> processes = new ArrayList<>();
      if (cp.processes() != null) {
        for (ProcessCheckpoint p : cp.processes()) {
          processes.add(
              new UpstreamProcesses.Process(
                  p.start() == null ? Double.NaN : p.start(), p.lastSeenMs(), seen(p.series())));
        }
      } else if (cp.series() != null) {
        processes.add(
            new UpstreamProcesses.Process(
                cp.processStart() == null ? Double.NaN : cp.processStart(),
                cp.lastReadMs(),
                seen(cp.series())));
      }
      state = new State(List.copyOf(processes), cp.lastReadMs());
    } catch (IOException | RuntimeException e) {
      log.warn(
          "event=checkpoint_unreadable collector={} error=\"{}\" effect=\"baseline anew\"",
          name(),
          e.getMessage());
    }
  }

  private static Map<String, UpstreamProcesses.Seen> seen(Map<String, double[]> series) {
    Map<String, UpstreamProcesses.Seen> out = new HashMap<>();
    if (series == null) return out;
    series.forEach(
        (k, v) -> {
          if (v != null && v.length > 0)
            out.put(k, new UpstreamProcesses.Seen(v[0], v.length > 1 ? v[1] : Double.NaN));
        });
    return out;
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) throws SourceException {
    State prev = state;
    CappedBody body = fetch(ctx);
    byte[] page = body.buffer();
    VllmPage parsed = new VllmPage(knownModels(prev), maxModels);
    try {
      parser.parse(page, body.length(), VllmFamilies.WANTED, parsed);
    } catch (PromParseException e) {
      ctx.upstreamCall("scrape", "parse_error");
      throw new SourceException(
          "parse", "not a Prometheus metrics page at " + safeTarget + ": " + e.getMessage());
    }
    if (parsed.conflict != null) {
      ctx.upstreamCall("scrape", "parse_error");
      throw new SourceException(
          "parse",
          safeTarget
              + " wrote the series "
              + describe(parsed.conflict)
              + " twice with different values; page not counted");
    }
    ctx.upstreamCall("scrape", "success");
    if (parsed.skipped > 0) {
      ctx.partialError(
          parsed.skippedReason, parsed.skipped + " series skipped (limits.max_label_value_length)");
    }
    if (parsed.duplicates > 0) {
      ctx.partialError(
          "duplicate_series",
          parsed.duplicates + " series written twice with the same value; counted once");
    }
    if (parsed.sanitised > 0) {
      ctx.partialError(
          "bad_label",
          "label values with control characters; those characters were replaced by U+FFFD");
    }
    if (parsed.unreadable > 0) {
      ctx.partialError(
          "bad_value",
          parsed.unreadable
              + " series read NaN, infinite or negative (first: "
              + describe(parsed.firstUnreadable)
              + "); their last values stand");
    }
    if (parsed.foldedModels > 0) {
      ctx.partialError(
          "too_many_models",
          "more than limits.max_models_per_source ("
              + maxModels
              + ") models: "
              + (parsed.foldedModels >= 4096 ? "at least " : "")
              + parsed.foldedModels
              + " counted together as model=\""
              + VllmPage.OVERFLOW
              + "\"");
    }
    long nowMs = now.toEpochMilli();
    UpstreamProcesses.Result r =
        UpstreamProcesses.read(
            prev.processes(),
            parsed.processStart,
            parsed.values,
            parsed.created,
            nowMs,
            cfg.processExpiry().toMillis(),
            MAX_PROCESSES);
    if (!r.rejected().isEmpty()) {
      UpstreamProcesses.Rejected first = r.rejected().get(0);
      ctx.partialError(
          "bad_value",
          r.rejected().size()
              + " impossible counter values not counted (first: "
              + describe(first.key())
              + " = "
              + first.value()
              + ", "
              + first.why()
              + ")");
    }
    if (r.newProcess() && !prev.processes().isEmpty()) {
      log.info(
          "event=upstream_process_new collector={} processes={} effect=\"its counters are counted from zero\"",
          name(),
          r.next().size());
    }
    int active = 0;
    for (UpstreamProcesses.Process p : r.next()) {
      if (nowMs - p.lastSeenMs() <= Math.min(ACTIVE_MS, cfg.processExpiry().toMillis())) active++;
    }
    ctx.upstreamProcesses(active);

    String help =
        "gpu_hits".equals(parsed.cacheKind())
            ? helpText(page, body.length(), "vllm:gpu_prefix_cache_hits")
            : null;
    double cacheUnit = parsed.cacheUnit(help);
    boolean v0 = parsed.cacheKind().isEmpty() && !parsed.v0HitRate.isEmpty();
    if (Double.isNaN(cacheUnit) && !v0 && !cacheUnknownLogged) {
      cacheUnknownLogged = true;
      log.warn(
          "event=cache_unknown collector={} cache_counter=\"{}\" effect=\"no cache_read tokens counted, cache-hit ratio absent\" "
              + "hint=\"the page does not say whether prefix-cache hits are blocks or tokens (no HELP line, or no cache_config_info block_size)\"",
          name(),
          parsed.cacheKind().isEmpty() ? "none" : parsed.cacheKind());
    }
    List<UsageDelta> usage = usage(prev, r, now, parsed, cacheUnit);
    List<CapacityDelta> capacity = new ArrayList<>();
    if (prev.lastReadMs > 0 && nowMs > prev.lastReadMs) {
      capacity.add(
          new CapacityDelta(
              Instant.ofEpochMilli(prev.lastReadMs),
              now,
              PROVIDER,
              SERVICE,
              cfg.name(),
              cfg.gpuCount(),
              cfg.gpuHourlyUsd(),
              cfg.gpuName()));
    }
    State next = new State(r.next(), nowMs);
    return Batch.of(usage, capacity, checkpoint(next), next);
  }

  /** Every model the committed state tracks, across its processes. */
  private static java.util.Set<String> knownModels(State s) {
    java.util.Set<String> models = new java.util.HashSet<>();
    for (UpstreamProcesses.Process p : s.processes())
      for (String key : p.series().keySet()) models.add(VllmPage.model(key));
    models.remove(VllmPage.OVERFLOW);
    return models;
  }

  private static String describe(String key) {
    return key.replace(VllmPage.SEP, "|");
  }

  private List<UsageDelta> usage(
      State prev, UpstreamProcesses.Result r, Instant now, VllmPage page, double cacheUnit) {
    String cacheKind = Double.isNaN(cacheUnit) ? "" : page.cacheKind();
    Map<String, double[]> perModel = new TreeMap<>(); // prompt, generation, cache, requests
    for (String key : page.values.keySet())
      perModel.computeIfAbsent(VllmPage.model(key), m -> new double[4]);
    r.deltas()
        .forEach(
            (key, d) -> {
              String kind = VllmPage.kind(key);
              int slot =
                  switch (kind) {
                    case "prompt" -> 0;
                    case "generation" -> 1;
                    case "requests" -> 3;
                    default -> kind.equals(cacheKind) ? 2 : -1;
                  };
              if (slot < 0) return;
              perModel.computeIfAbsent(VllmPage.model(key), m -> new double[4])[slot] +=
                  slot == 2 ? d * cacheUnit : d;
            });
    // Which span the usage covers: since this process was last read; for a process new to us, since
    // it
    // started when that was after our previous read, else it is history (counted, never in a rate
    // window).
    Instant start;
    boolean history;
    if (!r.newProcess()) {
      start = Instant.ofEpochMilli(r.previous().lastSeenMs());
      history = false;
    } else {
      Instant began = historyStart(page, now);
      history = prev.lastReadMs == 0 || began.toEpochMilli() < prev.lastReadMs;
      start = began;
    }
    List<UsageDelta> out = new ArrayList<>();
    perModel.forEach(
        (model, v) -> {
          long prompt = Math.round(v[0]);
          boolean known = !Double.isNaN(cacheUnit);
          long cached;
          if (known) {
            cached =
                Math.min(prompt, Math.round(v[2])); // counters sampled a step apart can disagree
          } else {
            // V0: only a lifetime block hit rate; applied to this interval's prompt tokens (an
            // approximation)
            Double rate = page.v0HitRate.get(model);
            known = rate != null;
            cached = known ? Math.min(prompt, Math.round(rate * prompt)) : 0;
          }
          TokenCounts tokens = new TokenCounts(prompt - cached, cached, 0, Math.round(v[1]));
          // emitted even when empty: it says which models the deployment serves, for sharing its
          // GPU dollars
          out.add(
              new UsageDelta(
                  start,
                  now,
                  PROVIDER,
                  SERVICE,
                  cfg.name(),
                  model,
                  Map.of(),
                  tokens,
                  Math.round(v[3]),
                  history,
                  known));
        });
    return out;
  }

  /**
   * The text of the {@code # HELP} line of {@code family} (base or {@code _total} name) on the
   * page; null if none.
   */
  static String helpText(byte[] page, int n, String family) {
    byte[] prefix = ("# HELP " + family).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + prefix.length < n; i++) {
      if (i > 0 && page[i - 1] != '\n') continue;
      for (int j = 0; j < prefix.length; j++) if (page[i + j] != prefix[j]) continue outer;
      int p = i + prefix.length;
      if (p + 6 <= n
          && page[p] == '_'
          && page[p + 1] == 't'
          && page[p + 2] == 'o'
          && page[p + 3] == 't'
          && page[p + 4] == 'a'
          && page[p + 5] == 'l') p += 6;
      if (p >= n || page[p] != ' ') continue;
      int end = p;
      while (end < n && page[end] != '\n') end++;
      return new String(page, p + 1, end - p - 1, java.nio.charset.StandardCharsets.UTF_8);
    }
    return null;
  }

  /**
   * When the counters of a first read began: process start, else the oldest _created, else unknown
   * (epoch).
   */
  private static Instant historyStart(VllmPage page, Instant now) {
    double t = page.processStart;
    for (double c : page.created.values()) if (Double.isNaN(t) || c < t) t = c;
    if (Double.isNaN(t) || t <= 0 || t * 1000 > now.toEpochMilli()) return Instant.EPOCH;
    return Instant.ofEpochMilli((long) (t * 1000));
  }

  private CappedBody fetch(SourceContext ctx) throws SourceException {
    try (Response resp = http.newCall(request).execute()) {
      if (!resp.isSuccessful()) {
        ctx.upstreamCall("scrape", "http_" + resp.code());
        throw new SourceException("http_status", safeTarget + " answered HTTP " + resp.code());
      }
      try {
        return CappedBody.read(resp, maxBytes);
      } catch (BodyTooLargeException e) {
        ctx.upstreamCall("scrape", "too_large");
        throw tooLarge(e.bytes());
      }
    } catch (SourceException e) {
      throw e;
    } catch (InterruptedIOException e) { // includes SocketTimeoutException and OkHttp call timeouts
      ctx.upstreamCall("scrape", "timeout");
      throw new SourceException(
          "timeout", safeTarget + " did not answer within " + cfg.timeout().toMillis() + " ms");
    } catch (ConnectException | UnknownHostException e) {
      ctx.upstreamCall("scrape", "connect_error");
      throw new SourceException(
          "connect", "cannot connect to " + safeTarget + ": " + e.getClass().getSimpleName());
    } catch (IOException e) {
      ctx.upstreamCall("scrape", "error");
      throw new SourceException(
          "io",
          "reading "
              + safeTarget
              + " failed: "
              + e.getClass().getSimpleName()
              + " "
              + e.getMessage());
    }
  }

  private SourceException tooLarge(long bytes) {
    return new SourceException(
        "too_large",
        safeTarget
            + " page exceeds limits.max_scrape_bytes ("
            + maxBytes
            + " bytes; got at least "
            + bytes
            + ")");
  }

  @Override
  public void committed(Batch batch) {
    state = (State) batch.nextState();
  }

  /**
   * The state as checkpoint JSON, written in one pass (no intermediate maps: a page may hold many
   * series).
   */
  private String checkpoint(State s) {
    java.io.StringWriter out = new java.io.StringWriter(64 + 48 * seriesCount(s));
    try (com.fasterxml.jackson.core.JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("processes");
      for (UpstreamProcesses.Process p : s.processes()) {
        g.writeStartObject();
        if (Double.isNaN(p.start())) g.writeNullField("start");
        else g.writeNumberField("start", p.start());
        g.writeNumberField("lastSeenMs", p.lastSeenMs());
        g.writeObjectFieldStart("series");
        for (Map.Entry<String, UpstreamProcesses.Seen> e : p.series().entrySet()) {
          g.writeArrayFieldStart(e.getKey());
          g.writeNumber(e.getValue().value());
          if (Double.isNaN(e.getValue().created())) g.writeString("NaN");
          else g.writeNumber(e.getValue().created());
          g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("lastReadMs", s.lastReadMs());
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("checkpoint not serialisable", e);
    }
    return out.toString();
  }

  private static int seriesCount(State s) {
    int n = 0;
    for (UpstreamProcesses.Process p : s.processes()) n += p.series().size();
    return Math.min(n, 1 << 22);
  }

  static String withoutUserInfo(URI uri) {
    try {
      return new URI(
              uri.getScheme(),
              null,
              uri.getHost(),
              uri.getPort(),
              uri.getPath(),
              uri.getQuery(),
              null)
          .toString();
    } catch (java.net.URISyntaxException e) {
      return uri.getScheme() + "://" + uri.getHost();
    }
  }
}
