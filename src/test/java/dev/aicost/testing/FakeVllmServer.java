package dev.aicost.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upstream vLLM, on the wire: a loopback HTTP server serving whatever page, status and delay a
 * test sets. Only vLLM is fake; the exporter reads it with its real client and parser.
 */
public final class FakeVllmServer implements AutoCloseable {
  private final HttpServer server;
  private volatile byte[] page = new byte[0];
  private volatile int status = 200;
  private volatile boolean chunked;
  private final AtomicLong delayMs = new AtomicLong();
  private final AtomicInteger hits = new AtomicInteger();

  public FakeVllmServer() {
    this("127.0.0.1");
  }

  /** Bound to another loopback address (127.0.0.2 ...): a pod that moved to a new IP. */
  public FakeVllmServer(String loopbackAddress) {
    InetAddress bind;
    try {
      bind = InetAddress.getByName(loopbackAddress);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!bind.isLoopbackAddress()) throw new IllegalArgumentException("loopback only");
    server = LoopbackServer.create("fake-vllm", bind);
    server.createContext(
        "/metrics",
        ex -> {
          hits.incrementAndGet();
          try {
            long d = delayMs.get();
            if (d > 0) Thread.sleep(d);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = page;
          ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          try {
            ex.sendResponseHeaders(status, chunked ? 0 : body.length == 0 ? -1 : body.length);
            try (OutputStream os = ex.getResponseBody()) {
              os.write(body);
            }
          } catch (IOException clientWentAway) {
            // the exporter timed out and closed the connection: expected in slow-server tests
          }
        });
    server.start();
  }

  public String url() {
    return "http://" + host() + ":" + port() + "/metrics";
  }

  public String host() {
    return server.getAddress().getAddress().getHostAddress();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public FakeVllmServer page(String text) {
    page = text.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  public FakeVllmServer page(byte[] bytes) {
    page = bytes;
    return this;
  }

  /** Streams the body without a Content-Length, as a server that does not know its size does. */
  public FakeVllmServer chunked(boolean on) {
    chunked = on;
    return this;
  }

  public FakeVllmServer status(int code) {
    status = code;
    return this;
  }

  public FakeVllmServer delay(long ms) {
    delayMs.set(ms);
    return this;
  }

  public int hits() {
    return hits.get();
  }

  /** A page under src/test/resources. */
  public static String resource(String path) {
    try (InputStream in = FakeVllmServer.class.getResourceAsStream("/" + path)) {
      if (in == null) throw new IllegalArgumentException("no test resource " + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
