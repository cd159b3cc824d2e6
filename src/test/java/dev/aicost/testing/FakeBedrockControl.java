package dev.aicost.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Bedrock control plane on the wire, as the pinned AWS SDK (2.40.2) speaks it: REST-JSON,
 * SigV4-signed for service {@code bedrock}. Serves GetInferenceProfile ({@code GET
 * /inference-profiles/{identifier}}, the ARN or id URL-encoded as one path segment) for the
 * profiles a test sets, and scripted failures answered the REST-JSON way (status, {@code
 * x-amzn-ErrorType} header, {@code {"message"}} body). Anything else (another path or method, an
 * unsigned request) is answered 500 and recorded in {@link #protocolErrors}, so an SDK upgrade that
 * changes the request fails its tests loudly.
 */
public final class FakeBedrockControl implements AutoCloseable {
  public static final String ACCESS_KEY = FakeCloudWatch.ACCESS_KEY;
  public static final String SECRET_KEY = FakeCloudWatch.SECRET_KEY;
  private static final String PREFIX = "/inference-profiles/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;

  /** Identifier (ARN or id, as asked) → the answer's JSON. */
  private final Map<String, String> profiles = new ConcurrentHashMap<>();

  /** Identifier → {status, error type} answered on every call until cleared. */
  private final Map<String, String[]> failing = new ConcurrentHashMap<>();

  private final Deque<String[]> failures = new ArrayDeque<>(); // {status, type}
  public final List<String> protocolErrors = new CopyOnWriteArrayList<>();

  /** Every GetInferenceProfile call, answered or failed. */
  public final AtomicInteger calls = new AtomicInteger();

  /** The identifiers asked for, decoded, in order. */
  public final List<String> asked = new CopyOnWriteArrayList<>();

  public FakeBedrockControl() {
    server = LoopbackServer.create("fake-bedrock-control");
    server.createContext("/", this::handle);
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * An application profile answered under {@code identifier} (what the exporter asks for: the
   * CloudWatch ModelId, ARN or bare id) over these foundation model ARNs, one per region.
   */
  public void profile(String identifier, String arn, String id, String... modelArns) {
    ObjectNode o = JSON.createObjectNode();
    o.put("inferenceProfileName", "team-" + id);
    o.put("inferenceProfileArn", arn);
    o.put("inferenceProfileId", id);
    o.put("description", "fake");
    ArrayNode models = o.putArray("models");
    for (String m : modelArns) models.addObject().put("modelArn", m);
    o.put("status", "ACTIVE");
    o.put("type", "APPLICATION");
    profiles.put(identifier, o.toString());
  }

  /** The foundation model ARN of {@code model} in {@code region}. */
  public static String foundationModel(String region, String model) {
    return "arn:aws:bedrock:" + region + "::foundation-model/" + model;
  }

  /**
   * Every call for {@code identifier} fails with this status and error type (e.g. 403
   * AccessDeniedException) until {@link #clearFailure}.
   */
  public void failing(String identifier, int status, String type) {
    failing.put(identifier, new String[] {"" + status, type});
  }

  public void clearFailure(String identifier) {
    failing.remove(identifier);
  }

  /** The next {@code times} calls, whatever they ask, fail with this status and error type. */
  public synchronized void fail(int times, int status, String type) {
    for (int i = 0; i < times; i++) failures.add(new String[] {"" + status, type});
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String raw = ex.getRequestURI().getRawPath();
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (!"GET".equals(ex.getRequestMethod()) || !raw.startsWith(PREFIX)) {
        protocol(ex, "expected GET " + PREFIX + "{id}, got " + ex.getRequestMethod() + " " + raw);
        return;
      }
      String segment = raw.substring(PREFIX.length());
      if (segment.isEmpty() || segment.contains("/")) {
        protocol(ex, "expected the identifier as one URL-encoded path segment, got " + raw);
        return;
      }
      if (auth == null
          || !auth.startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/")
          || !auth.contains("/bedrock/aws4_request")) {
        protocol(ex, "expected a SigV4 signature for service bedrock, got " + auth);
        return;
      }
      String id = URLDecoder.decode(segment, StandardCharsets.UTF_8);
      calls.incrementAndGet();
      asked.add(id);
      String[] failure;
      synchronized (this) {
        failure = failures.poll();
      }
      if (failure == null) failure = failing.get(id);
      if (failure != null) {
        error(ex, Integer.parseInt(failure[0]), failure[1], "fake " + failure[1]);
        return;
      }
      String body = profiles.get(id);
      if (body == null) {
        error(ex, 404, "ResourceNotFoundException", "Inference profile not found");
        return;
      }
      send(ex, 200, null, body);
    } catch (RuntimeException e) {
      protocol(ex, "fake failed: " + e);
    } finally {
      ex.close();
    }
  }

  private void protocol(HttpExchange ex, String what) throws IOException {
    protocolErrors.add(what);
    error(ex, 500, "FakeBedrockControlProtocolError", what);
  }

  private static void error(HttpExchange ex, int status, String type, String message)
      throws IOException {
    send(ex, status, type, JSON.createObjectNode().put("message", message).toString());
  }

  private static void send(HttpExchange ex, int status, String errorType, String json)
      throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("x-amzn-RequestId", "fake");
    if (errorType != null) ex.getResponseHeaders().set("x-amzn-ErrorType", errorType);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
