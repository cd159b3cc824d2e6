package dev.aicost.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --demo}'s CloudWatch: Bedrock usage of a few models on loopback, in the AWS Query protocol
 * the SDK speaks (ListMetrics, GetMetricData). Each minute's Sums are a fixed function of the model
 * and the minute, reported at 60 % while the minute is recent and whole three minutes later, as
 * CloudWatch fills minutes in late: the exporter counts only the difference.
 *
 * <p>One ModelId is an application inference profile; the same server answers the Bedrock control
 * plane's GetInferenceProfile for it (REST-JSON, {@code GET /inference-profiles/{id}}), so the demo
 * shows it resolved to its model and priced.
 */
public final class SimulatedCloudWatch implements AutoCloseable {
  private static final String NS = "http://monitoring.amazonaws.com/doc/2010-08-01/";

  /** ModelId → requests per minute, input, cache read, cache write, output tokens per request. */
  private static final Map<String, double[]> MODELS =
      Map.of(
          "anthropic.claude-3-5-sonnet-20241022-v2:0",
          new double[] {30, 1800, 600, 40, 350},
          "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
          new double[] {12, 2500, 0, 0, 600},
          "amazon.nova-pro-v1:0",
          new double[] {20, 900, 0, 0, 250},
          SimulatedCloudWatch.PROFILE,
          new double[] {8, 1200, 0, 0, 300});

  /** The demo's application inference profile: Claude 3.5 Haiku in the three US regions. */
  public static final String PROFILE =
      "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/demo0search1";

  private static final String PROFILE_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";

  private static final List<String> METRICS =
      List.of(
          "InputTokenCount",
          "CacheReadInputTokenCount",
          "CacheWriteInputTokenCount",
          "OutputTokenCount",
          "Invocations");

  private final Clock clock;
  private final HttpServer server;

  public SimulatedCloudWatch(Clock clock) throws IOException {
    this.clock = clock;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext("/", this::handle);
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      if ("GET".equals(ex.getRequestMethod())
          && ex.getRequestURI().getRawPath().startsWith("/inference-profiles/")) {
        inferenceProfile(ex);
        return;
      }
      Map<String, String> form =
          form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      String action = form.getOrDefault("Action", "");
      if (action.equals("ListMetrics")) send(ex, 200, listMetrics());
      else if (action.equals("GetMetricData")) send(ex, 200, getMetricData(form));
      else
        send(
            ex,
            400,
            "<ErrorResponse xmlns=\""
                + NS
                + "\"><Error><Code>InvalidAction</Code><Message>demo</Message></Error></ErrorResponse>");
    } finally {
      ex.close();
    }
  }

  private static void inferenceProfile(HttpExchange ex) throws IOException {
    String id =
        URLDecoder.decode(
            ex.getRequestURI().getRawPath().substring("/inference-profiles/".length()),
            StandardCharsets.UTF_8);
    byte[] body;
    int status;
    if (id.equals(PROFILE)) {
      StringBuilder models = new StringBuilder();
      for (String region : List.of("us-east-1", "us-east-2", "us-west-2")) {
        if (models.length() > 0) models.append(',');
        models
            .append("{\"modelArn\":\"arn:aws:bedrock:")
            .append(region)
            .append("::foundation-model/")
            .append(PROFILE_MODEL)
            .append("\"}");
      }
      status = 200;
      body =
          ("{\"inferenceProfileName\":\"search\",\"inferenceProfileArn\":\""
                  + PROFILE
                  + "\",\"inferenceProfileId\":\"demo0search1\",\"models\":["
                  + models
                  + "],\"status\":\"ACTIVE\",\"type\":\"APPLICATION\"}")
              .getBytes(StandardCharsets.UTF_8);
    } else {
      status = 404;
      ex.getResponseHeaders().set("x-amzn-ErrorType", "ResourceNotFoundException");
      body = "{\"message\":\"demo\"}".getBytes(StandardCharsets.UTF_8);
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static String listMetrics() {
    StringBuilder x = new StringBuilder("<ListMetricsResponse xmlns=\"" + NS + "\">");
    x.append("<ListMetricsResult><Metrics>");
    for (String model : MODELS.keySet()) {
      for (String metric : METRICS) {
        x.append("<member><Namespace>AWS/Bedrock</Namespace><MetricName>")
            .append(metric)
            .append("</MetricName><Dimensions><member><Name>ModelId</Name><Value>")
            .append(model)
            .append("</Value></member></Dimensions></member>");
      }
    }
    return x.append("</Metrics></ListMetricsResult></ListMetricsResponse>").toString();
  }

  private String getMetricData(Map<String, String> form) {
    long now = clock.instant().getEpochSecond();
    long start = Instant.parse(form.get("StartTime")).getEpochSecond() / 60 * 60;
    long end = Math.min(Instant.parse(form.get("EndTime")).getEpochSecond(), now);
    StringBuilder x = new StringBuilder("<GetMetricDataResponse xmlns=\"" + NS + "\">");
    x.append("<GetMetricDataResult><MetricDataResults>");
    for (int i = 1; form.containsKey("MetricDataQueries.member." + i + ".Id"); i++) {
      String p = "MetricDataQueries.member." + i + ".";
      String model = form.get(p + "MetricStat.Metric.Dimensions.member.1.Value");
      int field = METRICS.indexOf(form.get(p + "MetricStat.Metric.MetricName"));
      double[] m = MODELS.get(model);
      StringBuilder ts = new StringBuilder(), vs = new StringBuilder();
      for (long t = start; m != null && field >= 0 && t < end; t += 60) {
        double v = value(m, field, model, t) * (now - t >= 180 ? 1.0 : 0.6);
        ts.append("<member>").append(Instant.ofEpochSecond(t)).append("</member>");
        vs.append("<member>").append(Math.floor(v)).append("</member>");
      }
      x.append("<member><Id>")
          .append(form.get(p + "Id"))
          .append("</Id><Timestamps>")
          .append(ts)
          .append("</Timestamps><Values>")
          .append(vs)
          .append("</Values><StatusCode>Complete</StatusCode></member>");
    }
    return x.append("</MetricDataResults></GetMetricDataResult></GetMetricDataResponse>")
        .toString();
  }

  /** A minute's Sum: requests vary by ±50 % with the minute, tokens per request are fixed. */
  private static double value(double[] m, int field, String model, long minute) {
    long h = (model.hashCode() * 31L + minute / 60) * 0x9E3779B97F4A7C15L;
    double requests = Math.floor(m[0] * (0.5 + ((h >>> 11) % 1000) / 1000.0));
    return field == 4 ? requests : requests * m[field + 1];
  }

  private static void send(HttpExchange ex, int status, String xml) throws IOException {
    byte[] body = xml.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/xml");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq < 0) continue;
      out.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
