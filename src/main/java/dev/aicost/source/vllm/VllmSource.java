package dev.aicost.source.vllm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.collect.Batch;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import java.io.IOException;
import java.io.InputStream;
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
import okhttp3.ResponseBody;
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
  public static final String PROVIDER = "self_hosted";
  public static final String SERVICE = "vllm";

  private final VllmSourceConfig cfg;
  private final OkHttpClient http;
  private final Request request;
  private final PromTextParser parser;
  private final long maxBytes;
  private final String safeTarget;
  private volatile State state = State.EMPTY;

  /** Committed state: last seen series, last read time, last process start. */
  record State(Map<String, SeriesDeltas.Seen> series, long lastReadMs, double processStart) {
    static final State EMPTY = new State(Map.of(), 0, Double.NaN);
  }

  /** Checkpoint form of {@link State}; series as key -> [value, created]. */
  record Checkpoint(Map<String, double[]> series, long lastReadMs, Double processStart) {}

  public VllmSource(VllmSourceConfig cfg, OkHttpClient sharedClient, long maxBytes, int maxLabelValueLength) {
    this.cfg = cfg;
    this.http = sharedClient.newBuilder().callTimeout(cfg.timeout()).connectTimeout(cfg.timeout()).readTimeout(cfg.timeout()).build();
    this.maxBytes = maxBytes;
    this.parser = new PromTextParser(maxLabelValueLength);
    URI uri = URI.create(cfg.url());
    Request.Builder rb = new Request.Builder()
        .url(withoutUserInfo(uri))
        .header("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
        .header("User-Agent", "aicost-exporter");
    if (uri.getRawUserInfo() != null) {
      String[] up = uri.getUserInfo().split(":", 2);
      rb.header("Authorization", Credentials.basic(up[0], up.length > 1 ? up[1] : ""));
    }
    this.request = rb.build();
    this.safeTarget = withoutUserInfo(uri);
  }

  @Override
  public String name() {
    return "vllm/" + cfg.name();
  }

  /** The URL without any user:password, for the status page and logs. */
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
      Map<String, SeriesDeltas.Seen> series = new HashMap<>();
      cp.series().forEach((k, v) -> series.put(k, new SeriesDeltas.Seen(v[0], v.length > 1 ? v[1] : Double.NaN)));
      state = new State(series, cp.lastReadMs(), cp.processStart() == null ? Double.NaN : cp.processStart());
    } catch (IOException e) {
      log.warn("event=checkpoint_unreadable collector={} error=\"{}\" effect=\"baseline anew\"", name(), e.getMessage());
    }
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) throws SourceException {
    State prev = state;
    byte[] page = fetch(ctx);
    VllmPage parsed = new VllmPage();
    try {
      parser.parse(page, page.length, VllmFamilies.WANTED, parsed);
    } catch (PromParseException e) {
      throw new SourceException("parse", "not a Prometheus metrics page at " + safeTarget + ": " + e.getMessage());
    }
    if (parsed.skipped > 0) {
      ctx.partialError(parsed.skippedReason, parsed.skipped + " series skipped (limits.max_label_value_length)");
    }
    boolean restarted = !Double.isNaN(prev.processStart) && !Double.isNaN(parsed.processStart)
        && Math.abs(prev.processStart - parsed.processStart) > 1e-3;
    SeriesDeltas.Result r = SeriesDeltas.compute(prev.series, parsed.values, parsed.created, restarted);
    if (restarted) log.info("event=upstream_restarted collector={} effect=\"counters read from zero\"", name());

    List<UsageDelta> usage = usage(prev, now, r.deltas(), parsed);
    List<CapacityDelta> capacity = new ArrayList<>();
    if (prev.lastReadMs > 0 && now.toEpochMilli() > prev.lastReadMs) {
      capacity.add(new CapacityDelta(Instant.ofEpochMilli(prev.lastReadMs), now, PROVIDER, SERVICE, cfg.name(),
          cfg.gpuCount(), cfg.gpuName()));
    }
    State next = new State(r.next(), now.toEpochMilli(), parsed.processStart);
    return Batch.of(usage, capacity, checkpoint(next), next);
  }

  private List<UsageDelta> usage(State prev, Instant now, Map<String, Double> deltas, VllmPage page) {
    String cacheKind = page.cacheKind();
    double cacheUnit = page.cacheUnit();
    Map<String, double[]> perModel = new TreeMap<>(); // prompt, generation, cache, requests
    for (String key : page.values.keySet()) perModel.computeIfAbsent(VllmPage.model(key), m -> new double[4]);
    deltas.forEach((key, d) -> {
      String kind = VllmPage.kind(key);
      int slot = switch (kind) {
        case "prompt" -> 0;
        case "generation" -> 1;
        case "requests" -> 3;
        default -> kind.equals(cacheKind) ? 2 : -1;
      };
      if (slot < 0) return;
      perModel.computeIfAbsent(VllmPage.model(key), m -> new double[4])[slot] += slot == 2 ? d * cacheUnit : d;
    });
    Instant start = prev.lastReadMs > 0 ? Instant.ofEpochMilli(prev.lastReadMs) : historyStart(page, now);
    List<UsageDelta> out = new ArrayList<>();
    perModel.forEach((model, v) -> {
      long prompt = Math.round(v[0]);
      long cached = Math.min(prompt, Math.round(v[2])); // counters sampled a step apart can disagree
      TokenCounts tokens = new TokenCounts(prompt - cached, cached, 0, Math.round(v[1]));
      // emitted even when empty: it says which models the deployment serves, for sharing its GPU dollars
      out.add(new UsageDelta(start, now, PROVIDER, SERVICE, cfg.name(), model, Map.of(), tokens, Math.round(v[3]), prev.lastReadMs == 0));
    });
    return out;
  }

  /** When the counters of a first read began: process start, else the oldest _created, else unknown (epoch). */
  private static Instant historyStart(VllmPage page, Instant now) {
    double t = page.processStart;
    for (double c : page.created.values()) if (Double.isNaN(t) || c < t) t = c;
    if (Double.isNaN(t) || t <= 0 || t * 1000 > now.toEpochMilli()) return Instant.EPOCH;
    return Instant.ofEpochMilli((long) (t * 1000));
  }

  private byte[] fetch(SourceContext ctx) throws SourceException {
    try (Response resp = http.newCall(request).execute()) {
      if (!resp.isSuccessful()) {
        ctx.upstreamCall("scrape", "http_" + resp.code());
        throw new SourceException("http_status", safeTarget + " answered HTTP " + resp.code());
      }
      ResponseBody body = resp.body();
      long declared = body.contentLength();
      if (declared > maxBytes) {
        ctx.upstreamCall("scrape", "too_large");
        throw tooLarge(declared);
      }
      byte[] page = readCapped(body.byteStream());
      ctx.upstreamCall("scrape", "success");
      return page;
    } catch (SourceException e) {
      throw e;
    } catch (InterruptedIOException e) { // includes SocketTimeoutException and OkHttp call timeouts
      ctx.upstreamCall("scrape", "timeout");
      throw new SourceException("timeout", safeTarget + " did not answer within " + cfg.timeout().toMillis() + " ms");
    } catch (ConnectException | UnknownHostException e) {
      ctx.upstreamCall("scrape", "connect_error");
      throw new SourceException("connect", "cannot connect to " + safeTarget + ": " + e.getClass().getSimpleName());
    } catch (IOException e) {
      ctx.upstreamCall("scrape", "error");
      throw new SourceException("io", "reading " + safeTarget + " failed: " + e.getClass().getSimpleName() + " " + e.getMessage());
    }
  }

  private byte[] readCapped(InputStream in) throws IOException, SourceException {
    byte[] buf = new byte[64 * 1024];
    int len = 0;
    while (true) {
      if (len == buf.length) {
        if (len > maxBytes) throw tooLarge(len);
        buf = java.util.Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, maxBytes + 1));
      }
      int n = in.read(buf, len, buf.length - len);
      if (n < 0) break;
      len += n;
      if (len > maxBytes) throw tooLarge(len);
    }
    return len == buf.length ? buf : java.util.Arrays.copyOf(buf, len);
  }

  private SourceException tooLarge(long bytes) {
    return new SourceException("too_large", safeTarget + " page exceeds limits.max_scrape_bytes (" + maxBytes + " bytes; got at least " + bytes + ")");
  }

  @Override
  public void committed(Batch batch) {
    state = (State) batch.nextState();
  }

  private String checkpoint(State s) {
    Map<String, double[]> series = new TreeMap<>();
    s.series.forEach((k, v) -> series.put(k, new double[] {v.value(), v.created()}));
    try {
      return JSON.writeValueAsString(new Checkpoint(series, s.lastReadMs, Double.isNaN(s.processStart) ? null : s.processStart));
    } catch (IOException e) {
      throw new IllegalStateException("checkpoint not serialisable", e);
    }
  }

  static String withoutUserInfo(URI uri) {
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null).toString();
    } catch (java.net.URISyntaxException e) {
      return uri.getScheme() + "://" + uri.getHost();
    }
  }
}
