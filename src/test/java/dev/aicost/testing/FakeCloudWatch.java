package dev.aicost.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CloudWatch API on the wire, as the pinned AWS SDK (2.40.2) speaks it: the AWS Query protocol
 * ({@code POST /}, form-encoded {@code Action=...&Version=2010-08-01}, SigV4-signed) with XML
 * answers. Serves {@code AWS/Bedrock} data points a test sets per (ModelId, metric, minute),
 * ListMetrics and GetMetricData with NextToken pages, and scripted failures. Anything else (a newer
 * SDK's Smithy RPC v2 CBOR, an unsigned request, an unknown action) is answered 400 and recorded in
 * {@link #protocolErrors}, so an SDK upgrade fails its tests loudly.
 */
public final class FakeCloudWatch implements AutoCloseable {
  public static final String NS = "http://monitoring.amazonaws.com/doc/2010-08-01/";
  public static final String ACCESS_KEY = "AKIDFAKEEXAMPLE";
  public static final String SECRET_KEY = "fake/secret/never-logged";

  private final HttpServer server;

  /** ModelId → metric → minute (epoch s) → Sum. */
  private final Map<String, Map<String, TreeMap<Long, Double>>> data = new ConcurrentHashMap<>();

  private final Deque<String[]> failures = new ArrayDeque<>(); // {status, code, message}
  private final Set<String> incomplete = ConcurrentHashMap.newKeySet();
  public final List<String> protocolErrors = new CopyOnWriteArrayList<>();
  public final AtomicInteger listCalls = new AtomicInteger();
  public final AtomicInteger dataCalls = new AtomicInteger();

  /** Metrics requested by answered GetMetricData calls (what AWS bills). */
  public final AtomicLong metricsRequested = new AtomicLong();

  /** Queries per answered GetMetricData call, in order. */
  public final List<Integer> queriesPerCall = new CopyOnWriteArrayList<>();

  /** Start times of GetMetricData calls, in order. */
  public final List<Instant> startTimes = new CopyOnWriteArrayList<>();

  /** Answered or failed requests per Query Action (GetMetricData, GetMetricStatistics, ...). */
  public final Map<String, AtomicInteger> callsByAction = new ConcurrentHashMap<>();

  /**
   * Accept what other CloudWatch clients send (cloudwatch_exporter in the side-by-side bench):
   * GetMetricData without ScanBy / ReturnData. Off: the exporter's own requests are checked
   * strictly.
   */
  private volatile boolean lenient;

  private volatile int pointsPerPage = 100_800;
  private volatile int metricsPerListPage = 500;

  public FakeCloudWatch() {
    server = LoopbackServer.create("fake-cloudwatch");
    server.createContext("/", this::handle);
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Sets (replaces: CloudWatch revises) one minute's Sum. */
  public void put(String modelId, String metric, Instant minute, double sum) {
    if (minute.getEpochSecond() % 60 != 0) throw new IllegalArgumentException("not a minute");
    data.computeIfAbsent(modelId, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(metric, k -> new TreeMap<>())
        .put(minute.getEpochSecond(), sum);
  }

  public void lenient(boolean on) {
    lenient = on;
  }

  /** Data points per GetMetricData page (CloudWatch: 100,800). */
  public void pointsPerPage(int n) {
    pointsPerPage = n;
  }

  public void metricsPerListPage(int n) {
    metricsPerListPage = n;
  }

  /** The next {@code times} calls fail with this status and Query error code. */
  public synchronized void fail(int times, int status, String code, String message) {
    for (int i = 0; i < times; i++) failures.add(new String[] {"" + status, code, message});
  }

  /**
   * This ModelId's queries answer PartialData on every page with their latest data point held back
   * (CloudWatch could not read it all).
   */
  public void incomplete(String modelId, boolean on) {
    if (on) incomplete.add(modelId);
    else incomplete.remove(modelId);
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String ct = ex.getRequestHeaders().getFirst("Content-Type");
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (!"POST".equals(ex.getRequestMethod()) || !"/".equals(ex.getRequestURI().getPath())) {
        protocol(
            ex,
            "expected POST / (AWS Query), got " + ex.getRequestMethod() + " " + ex.getRequestURI());
        return;
      }
      if (ct == null || !ct.startsWith("application/x-www-form-urlencoded")) {
        protocol(
            ex,
            "expected the AWS Query protocol (form-encoded), got Content-Type "
                + ct
                + " smithy-protocol="
                + ex.getRequestHeaders().getFirst("smithy-protocol"));
        return;
      }
      if (auth == null
          || !auth.startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/")
          || !auth.contains("/monitoring/aws4_request")) {
        protocol(ex, "expected a SigV4 signature for service monitoring, got " + auth);
        return;
      }
      Map<String, String> form =
          form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      if (!"2010-08-01".equals(form.get("Version"))) {
        protocol(ex, "expected Version=2010-08-01, got " + form.get("Version"));
        return;
      }
      String action = form.get("Action");
      callsByAction
          .computeIfAbsent(String.valueOf(action), k -> new AtomicInteger())
          .incrementAndGet();
      String[] failure;
      synchronized (this) {
        failure = failures.poll();
      }
      if (failure != null) {
        if ("ListMetrics".equals(action)) listCalls.incrementAndGet();
        else dataCalls.incrementAndGet();
        error(ex, Integer.parseInt(failure[0]), failure[1], failure[2]);
        return;
      }
      switch (action == null ? "" : action) {
        case "ListMetrics" -> listMetrics(ex, form);
        case "GetMetricData" -> getMetricData(ex, form);
        case "GetMetricStatistics" -> getMetricStatistics(ex, form);
        default -> protocol(ex, "unknown Action " + action);
      }
    } catch (RuntimeException e) {
      protocol(ex, "fake failed: " + e);
    } finally {
      ex.close();
    }
  }

  private void listMetrics(HttpExchange ex, Map<String, String> form) throws IOException {
    listCalls.incrementAndGet();
    if (!"AWS/Bedrock".equals(form.get("Namespace"))) {
      protocol(ex, "ListMetrics for namespace " + form.get("Namespace"));
      return;
    }
    List<String[]> all = new ArrayList<>();
    String only = form.get("MetricName"); // a ListMetrics filter other clients use
    new TreeMap<>(data)
        .forEach(
            (model, metrics) ->
                new TreeMap<>(metrics)
                    .forEach(
                        (metric, points) -> {
                          if (only == null || only.equals(metric))
                            all.add(new String[] {model, metric});
                        }));
    int from =
        form.containsKey("NextToken") ? Integer.parseInt(form.get("NextToken").substring(4)) : 0;
    int to = Math.min(all.size(), from + metricsPerListPage);
    StringBuilder x = new StringBuilder();
    x.append("<ListMetricsResponse xmlns=\"").append(NS).append("\"><ListMetricsResult><Metrics>");
    for (String[] m : all.subList(from, to)) {
      x.append("<member><Namespace>AWS/Bedrock</Namespace><MetricName>")
          .append(esc(m[1]))
          .append("</MetricName><Dimensions><member><Name>ModelId</Name><Value>")
          .append(esc(m[0]))
          .append("</Value></member></Dimensions></member>");
    }
    // an image metric with extra dimensions: not a ModelId-only series
    x.append(
        "<member><Namespace>AWS/Bedrock</Namespace><MetricName>OutputImageCount</MetricName><Dimensions>"
            + "<member><Name>ModelId</Name><Value>amazon.nova-canvas-v1:0</Value></member>"
            + "<member><Name>ImageSize</Name><Value>1024x1024</Value></member></Dimensions></member>");
    x.append("</Metrics>");
    if (to < all.size()) x.append("<NextToken>list").append(to).append("</NextToken>");
    x.append(
        "</ListMetricsResult><ResponseMetadata><RequestId>fake-list</RequestId></ResponseMetadata></ListMetricsResponse>");
    send(ex, 200, x.toString());
  }

  private void getMetricData(HttpExchange ex, Map<String, String> form) throws IOException {
    dataCalls.incrementAndGet();
    List<String[]> queries = new ArrayList<>(); // {id, model, metric}
    for (int i = 1; form.containsKey("MetricDataQueries.member." + i + ".Id"); i++) {
      String p = "MetricDataQueries.member." + i + ".";
      String ms = p + "MetricStat.";
      if (!"AWS/Bedrock".equals(form.get(ms + "Metric.Namespace"))
          || !"Sum".equals(form.get(ms + "Stat"))
          || !"60".equals(form.get(ms + "Period"))
          || !"ModelId".equals(form.get(ms + "Metric.Dimensions.member.1.Name"))
          || form.containsKey(ms + "Metric.Dimensions.member.2.Name")
          || !(lenient || "true".equals(form.get(p + "ReturnData")))) {
        protocol(ex, "unexpected query " + i + ": " + form);
        return;
      }
      queries.add(
          new String[] {
            form.get(p + "Id"),
            form.get(ms + "Metric.Dimensions.member.1.Value"),
            form.get(ms + "Metric.MetricName"),
            // CloudWatch answers a query's own Label when it has one, else the metric name
            form.getOrDefault(p + "Label", form.get(ms + "Metric.MetricName"))
          });
    }
    if (queries.isEmpty() || queries.size() > 500) {
      error(
          ex,
          400,
          "ValidationError",
          "The collection MetricDataQueries must not be empty or have more than 500 elements.");
      return;
    }
    Set<String> ids = new HashSet<>();
    for (String[] q : queries) {
      if (!q[0].matches("[a-z][a-zA-Z0-9_]*") || !ids.add(q[0])) {
        error(ex, 400, "ValidationError", "bad or repeated Id " + q[0]);
        return;
      }
    }
    Instant start = Instant.parse(form.get("StartTime"));
    Instant end = Instant.parse(form.get("EndTime"));
    if (!lenient && !"TimestampAscending".equals(form.get("ScanBy"))) {
      protocol(ex, "expected ScanBy=TimestampAscending, got " + form.get("ScanBy"));
      return;
    }
    if (!form.containsKey("NextToken")) startTimes.add(start);
    // every (query, point) in order; a page is a slice of that list
    List<Object[]> points = new ArrayList<>(); // {query index, minute, value}
    boolean[] held = new boolean[queries.size()];
    for (int q = 0; q < queries.size(); q++) {
      TreeMap<Long, Double> series =
          data.getOrDefault(queries.get(q)[1], Map.of())
              .getOrDefault(queries.get(q)[2], new TreeMap<>());
      var range =
          new TreeMap<>(series.subMap(start.getEpochSecond(), true, end.getEpochSecond(), false));
      if (incomplete.contains(queries.get(q)[1]) && !range.isEmpty()) {
        range.remove(range.lastKey());
        held[q] = true;
      }
      range.forEach((t, v) -> points.add(new Object[] {null, t, v}));
      for (int k = points.size() - range.size(); k < points.size(); k++) points.get(k)[0] = q;
    }
    int from =
        form.containsKey("NextToken") ? Integer.parseInt(form.get("NextToken").substring(4)) : 0;
    int to = Math.min(points.size(), from + pointsPerPage);
    metricsRequested.addAndGet(queries.size());
    queriesPerCall.add(queries.size());
    Map<Integer, List<Object[]>> page = new LinkedHashMap<>();
    for (int q = 0; q < queries.size(); q++) page.put(q, new ArrayList<>());
    for (Object[] p : points.subList(from, to)) page.get((Integer) p[0]).add(p);
    Set<Integer> more = new HashSet<>();
    for (Object[] p : points.subList(to, points.size())) more.add((Integer) p[0]);
    StringBuilder x = new StringBuilder();
    x.append("<GetMetricDataResponse xmlns=\"")
        .append(NS)
        .append("\"><GetMetricDataResult><MetricDataResults>");
    for (var e : page.entrySet()) {
      String[] q = queries.get(e.getKey());
      x.append("<member><Id>")
          .append(esc(q[0]))
          .append("</Id><Label>")
          .append(esc(q[3]))
          .append("</Label><Timestamps>");
      for (Object[] p : e.getValue())
        x.append("<member>").append(Instant.ofEpochSecond((Long) p[1])).append("</member>");
      x.append("</Timestamps><Values>");
      for (Object[] p : e.getValue())
        x.append("<member>").append((Double) p[2]).append("</member>");
      boolean partial = more.contains(e.getKey()) || held[e.getKey()];
      x.append("</Values><StatusCode>")
          .append(partial ? "PartialData" : "Complete")
          .append("</StatusCode></member>");
    }
    x.append("</MetricDataResults>");
    if (to < points.size()) x.append("<NextToken>page").append(to).append("</NextToken>");
    x.append(
        "<Messages/></GetMetricDataResult><ResponseMetadata><RequestId>fake-data</RequestId></ResponseMetadata></GetMetricDataResponse>");
    send(ex, 200, x.toString());
  }

  /**
   * GetMetricStatistics (one metric, one dimension set a call; what cloudwatch_exporter calls by
   * default): the Sum of each minute in [StartTime, EndTime).
   */
  private void getMetricStatistics(HttpExchange ex, Map<String, String> form) throws IOException {
    if (!"AWS/Bedrock".equals(form.get("Namespace"))
        || !"ModelId".equals(form.get("Dimensions.member.1.Name"))
        || form.containsKey("Dimensions.member.2.Name")
        || !"60".equals(form.get("Period"))
        || !"Sum".equals(form.get("Statistics.member.1"))) {
      protocol(ex, "unexpected GetMetricStatistics " + form);
      return;
    }
    String metric = form.get("MetricName");
    Instant start = Instant.parse(form.get("StartTime"));
    Instant end = Instant.parse(form.get("EndTime"));
    TreeMap<Long, Double> series =
        data.getOrDefault(form.get("Dimensions.member.1.Value"), Map.of())
            .getOrDefault(metric, new TreeMap<>());
    StringBuilder x = new StringBuilder();
    x.append("<GetMetricStatisticsResponse xmlns=\"")
        .append(NS)
        .append("\"><GetMetricStatisticsResult><Label>")
        .append(esc(metric))
        .append("</Label><Datapoints>");
    new TreeMap<>(series.subMap(start.getEpochSecond(), true, end.getEpochSecond(), false))
        .forEach(
            (t, v) ->
                x.append("<member><Timestamp>")
                    .append(Instant.ofEpochSecond(t))
                    .append("</Timestamp><Sum>")
                    .append(v)
                    .append("</Sum><Unit>Count</Unit></member>"));
    x.append(
        "</Datapoints></GetMetricStatisticsResult><ResponseMetadata><RequestId>fake-stats</RequestId>"
            + "</ResponseMetadata></GetMetricStatisticsResponse>");
    send(ex, 200, x.toString());
  }

  private void protocol(HttpExchange ex, String what) throws IOException {
    protocolErrors.add(what);
    error(ex, 400, "FakeCloudWatchProtocolError", what);
  }

  private static void error(HttpExchange ex, int status, String code, String message)
      throws IOException {
    send(
        ex,
        status,
        "<ErrorResponse xmlns=\""
            + NS
            + "\"><Error><Type>Sender</Type><Code>"
            + esc(code)
            + "</Code><Message>"
            + esc(message)
            + "</Message></Error><RequestId>fake-error</RequestId></ErrorResponse>");
  }

  private static void send(HttpExchange ex, int status, String xml) throws IOException {
    byte[] body = xml.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/xml");
    ex.getResponseHeaders().set("x-amzn-RequestId", "fake");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new HashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return Collections.unmodifiableMap(out);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
