package dev.aicost.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slowloris: connections that trickle header bytes are cut off after server.read_header_timeout (1
 * s here), counted from the request's first byte, while idle kept-alive connections and normal
 * requests stay. Raw sockets, so the test controls every byte the server sees.
 */
class SlowHeadersTest {
  @TempDir Path dir;
  private RunningExporter ex;

  @BeforeEach
  void start() throws Exception {
    String yaml =
        "state: { path: "
            + dir.resolve("l.db")
            + " }\nserver: { read_header_timeout: 1s }\nsources: { nvml: { enabled: false } }\n";
    ex =
        new RunningExporter(
            yaml,
            Files.writeString(dir.resolve("c.yml"), yaml),
            new MutableClock(Instant.parse("2026-11-23T10:00:00Z")),
            false);
  }

  @AfterEach
  void stop() {
    if (ex != null) ex.close();
  }

  private Socket open() throws IOException {
    Socket s = new Socket("127.0.0.1", ex.exporter.port());
    s.setTcpNoDelay(true);
    return s;
  }

  /** True once the server has closed the socket (end of stream or reset); waits at most 1 ms. */
  private static boolean closedByServer(Socket s) throws IOException {
    s.setSoTimeout(1);
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void tricklingHeadersAreCutOffAndTheServerKeepsServing() throws Exception {
    int n = 40;
    List<Socket> sockets = new ArrayList<>();
    byte[] trickle =
        "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    try {
      for (int i = 0; i < n; i++) {
        Socket s = open();
        s.getOutputStream()
            .write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        sockets.add(s);
      }
      // one header byte per socket every 50 ms: each write keeps the connection's idle timeout from
      // firing
      long start = System.nanoTime(), deadline = start + Duration.ofSeconds(10).toNanos();
      boolean[] closed = new boolean[n];
      int open = n;
      for (int round = 0; open > 0 && System.nanoTime() < deadline; round++) {
        for (int i = 0; i < n; i++) {
          if (closed[i]) continue;
          try {
            sockets.get(i).getOutputStream().write(trickle[round % trickle.length]);
          } catch (IOException e) {
            closed[i] = true;
          }
          if (!closed[i] && closedByServer(sockets.get(i))) closed[i] = true;
          if (closed[i]) open--;
        }
        Thread.sleep(50);
      }
      assertEquals(
          0,
          open,
          "connections still open after 10 s of trickled headers, with a 1 s header timeout");

      // the server still answers, and says what it did
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      String metrics = "";
      while (System.nanoTime() < until
          && !metrics.contains("aicost_http_refused_total{reason=\"slow_headers\"} " + n + ".0")) {
        metrics = ex.text("/metrics");
        Thread.sleep(50);
      }
      assertTrue(
          metrics.contains("aicost_http_refused_total{reason=\"slow_headers\"} " + n + ".0"),
          metrics);
    } finally {
      for (Socket s : sockets) s.close();
    }
  }

  @Test
  void anIdleKeptAliveConnectionIsNotAHeaderTimeout() throws Exception {
    try (Socket s = open()) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      byte[] get = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      out.write(get);
      assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));
      Thread.sleep(
          2500); // over two header timeouts without a byte: between scrapes, not inside a request
      assertTrue(!closedByServer(s), "idle keep-alive connection closed by the header timeout");
      s.setSoTimeout(5000);
      // a request whose headers arrive in pieces, but within the timeout, is served
      out.write("GET /-/healthy HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(100);
      out.write("Host: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));
    }
  }

  /** Head and the "OK\n" body of /-/healthy. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\nOK\n")) {
      int b = in.read();
      if (b < 0) throw new IOException("closed after " + sb);
      sb.append((char) b);
    }
    return sb.toString();
  }
}
