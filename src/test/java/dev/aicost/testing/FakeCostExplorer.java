package dev.aicost.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cost Explorer on the wire as the pinned AWS SDK speaks it: AWS JSON 1.1 ({@code POST /}, {@code
 * Content-Type: application/x-amz-json-1.1}, {@code X-Amz-Target:
 * AWSInsightsIndexService.GetCostAndUsage}, SigV4 for service {@code ce}). Serves daily
 * UnblendedCost per SERVICE a test sets, one day per page when asked, and scripted failures;
 * anything else is a {@link #protocolErrors} entry and a 400.
 */
public final class FakeCostExplorer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final Map<LocalDate, Map<String, Double>> days = new ConcurrentHashMap<>();
  private final Deque<String[]> failures = new ArrayDeque<>();
  public final List<String> protocolErrors = new CopyOnWriteArrayList<>();
  public final AtomicInteger calls = new AtomicInteger();
  public final List<String> periods = new CopyOnWriteArrayList<>();
  private volatile boolean dayPerPage;

  public FakeCostExplorer() {
    server = LoopbackServer.create("fake-cost-explorer");
    server.createContext("/", this::handle);
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Sets (replaces: the bill is revised) one service's cost on one day. */
  public void put(LocalDate day, String service, double usd) {
    days.computeIfAbsent(day, d -> new ConcurrentHashMap<>()).put(service, usd);
  }

  public void dayPerPage(boolean on) {
    dayPerPage = on;
  }

  public synchronized void fail(int times, int status, String type) {
    for (int i = 0; i < times; i++) failures.add(new String[] {"" + status, type});
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String ct = ex.getRequestHeaders().getFirst("Content-Type");
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (!"POST".equals(ex.getRequestMethod())
          || !"application/x-amz-json-1.1".equals(ct)
          || !"AWSInsightsIndexService.GetCostAndUsage".equals(target)) {
        protocol(ex, "expected AWS JSON 1.1 GetCostAndUsage, got " + ct + " " + target);
        return;
      }
      if (auth == null
          || !auth.startsWith("AWS4-HMAC-SHA256 Credential=" + FakeCloudWatch.ACCESS_KEY + "/")
          || !auth.contains("/us-east-1/ce/aws4_request")) {
        protocol(ex, "expected SigV4 for ce in us-east-1, got " + auth);
        return;
      }
      calls.incrementAndGet();
      String[] f;
      synchronized (this) {
        f = failures.poll();
      }
      if (f != null) {
        ex.getResponseHeaders().set("x-amzn-ErrorType", f[1]);
        send(ex, Integer.parseInt(f[0]), "{\"__type\":\"" + f[1] + "\",\"message\":\"scripted\"}");
        return;
      }
      JsonNode req = JSON.readTree(ex.getRequestBody());
      if (!"DAILY".equals(req.path("Granularity").asText())
          || !"UnblendedCost".equals(req.path("Metrics").path(0).asText())
          || !"SERVICE".equals(req.path("GroupBy").path(0).path("Key").asText())
          || !"DIMENSION".equals(req.path("GroupBy").path(0).path("Type").asText())
          || !"RECORD_TYPE".equals(req.path("Filter").path("Dimensions").path("Key").asText())) {
        protocol(ex, "unexpected request " + req);
        return;
      }
      LocalDate start = LocalDate.parse(req.path("TimePeriod").path("Start").asText());
      LocalDate end = LocalDate.parse(req.path("TimePeriod").path("End").asText());
      String token = req.path("NextPageToken").asText(null);
      if (token == null) periods.add(start + "/" + end);
      List<LocalDate> all = new ArrayList<>();
      for (LocalDate d = start; d.isBefore(end); d = d.plusDays(1)) all.add(d);
      int from = token == null ? 0 : Integer.parseInt(token);
      int to = dayPerPage ? Math.min(all.size(), from + 1) : all.size();
      ObjectNode out = JSON.createObjectNode();
      ArrayNode results = out.putArray("ResultsByTime");
      for (LocalDate d : all.subList(from, to)) {
        ObjectNode r = results.addObject();
        r.putObject("TimePeriod").put("Start", d.toString()).put("End", d.plusDays(1).toString());
        r.putObject("Total");
        ArrayNode groups = r.putArray("Groups");
        new TreeMap<>(days.getOrDefault(d, Map.of()))
            .forEach(
                (svc, usd) -> {
                  ObjectNode g = groups.addObject();
                  g.putArray("Keys").add(svc);
                  g.putObject("Metrics")
                      .putObject("UnblendedCost")
                      .put("Amount", Double.toString(usd))
                      .put("Unit", "USD");
                });
        r.put("Estimated", d.plusDays(2).isAfter(end));
      }
      out.putArray("GroupDefinitions").addObject().put("Type", "DIMENSION").put("Key", "SERVICE");
      if (to < all.size()) out.put("NextPageToken", Integer.toString(to));
      send(ex, 200, out.toString());
    } catch (RuntimeException e) {
      protocol(ex, "fake failed: " + e);
    } finally {
      ex.close();
    }
  }

  private void protocol(HttpExchange ex, String what) throws IOException {
    protocolErrors.add(what);
    send(
        ex,
        400,
        "{\"__type\":\"FakeProtocolError\",\"message\":\"" + what.replace("\"", "'") + "\"}");
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
