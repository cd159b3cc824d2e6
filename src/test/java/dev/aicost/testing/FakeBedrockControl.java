package dev.aicost.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * Bedrock's control plane on the wire as the pinned AWS SDK speaks it: REST-JSON, {@code GET
 * /inference-profiles/{identifier}} (the ARN or id, path-encoded), SigV4 for service {@code
 * bedrock}. Answers the application inference profiles a test defines, 404 {@code
 * ResourceNotFoundException} for others, and scripted failures (error type in {@code
 * x-amzn-ErrorType} and the body); any other request is a {@link #protocolErrors} entry and a 400,
 * so an SDK upgrade that changes the wire shows here first.
 */
public final class FakeBedrockControl implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATH = "/inference-profiles/";

  private final HttpServer server;
  private final String region;
  private final Map<String, List<String>> profiles = new ConcurrentHashMap<>();
  private final Deque<String[]> failures = new ArrayDeque<>();
  public final List<String> protocolErrors = new CopyOnWriteArrayList<>();
  public final List<String> asked = new CopyOnWriteArrayList<>();
  public final AtomicInteger calls = new AtomicInteger();

  /**
   * @param region the region the client signs for
   */
  public FakeBedrockControl(String region) {
    this.region = region;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Defines an application inference profile by its id (the last part of its ARN) and the
   * foundation-model ARNs it routes to ({@code arn:aws:bedrock:REGION::foundation-model/ID}).
   */
  public void profile(String id, List<String> modelArns) {
    profiles.put(id, List.copyOf(modelArns));
  }

  /** The next {@code times} requests fail with this status and AWS error type. */
  public synchronized void fail(int times, int status, String type) {
    for (int i = 0; i < times; i++) failures.add(new String[] {"" + status, type});
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String rawPath = ex.getRequestURI().getRawPath();
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (!"GET".equals(ex.getRequestMethod()) || !rawPath.startsWith(PATH)) {
        protocol(ex, "expected GET " + PATH + "{id}, got " + ex.getRequestMethod() + " " + rawPath);
        return;
      }
      if (auth == null
          || !auth.startsWith("AWS4-HMAC-SHA256 Credential=" + FakeCloudWatch.ACCESS_KEY + "/")
          || !auth.contains("/" + region + "/bedrock/aws4_request")) {
        protocol(ex, "expected SigV4 for bedrock in " + region + ", got " + auth);
        return;
      }
      String identifier =
          URLDecoder.decode(rawPath.substring(PATH.length()), StandardCharsets.UTF_8);
      asked.add(identifier);
      calls.incrementAndGet();
      String[] f;
      synchronized (this) {
        f = failures.poll();
      }
      if (f != null) {
        error(ex, Integer.parseInt(f[0]), f[1]);
        return;
      }
      String id = identifier.substring(identifier.lastIndexOf('/') + 1);
      List<String> models = profiles.get(id);
      if (models == null) {
        error(ex, 404, "ResourceNotFoundException");
        return;
      }
      String arn =
          "arn:aws:bedrock:" + region + ":123456789012:application-inference-profile/" + id;
      ObjectNode out = JSON.createObjectNode();
      out.put("inferenceProfileName", "team-" + id);
      out.put("inferenceProfileArn", arn);
      out.put("inferenceProfileId", id);
      out.put("status", "ACTIVE");
      out.put("type", "APPLICATION");
      out.put("createdAt", "2026-01-01T00:00:00Z");
      ArrayNode ms = out.putArray("models");
      for (String m : models) ms.addObject().put("modelArn", m);
      send(ex, 200, JSON.writeValueAsString(out));
    } catch (RuntimeException e) {
      protocol(ex, "fake failed: " + e);
    }
  }

  private void error(HttpExchange ex, int status, String type) throws IOException {
    ex.getResponseHeaders().set("x-amzn-ErrorType", type);
    send(ex, status, "{\"message\":\"scripted " + type + "\"}");
  }

  private void protocol(HttpExchange ex, String what) throws IOException {
    protocolErrors.add(what);
    send(ex, 400, "{\"message\":\"" + what.replace("\"", "'") + "\"}");
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
