package dev.aicost.httpclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The capped reader against a real HTTP server on loopback, with OkHttp as the sources use it. */
class CappedBodyTest {
  private static final int CAP = 100_000;

  private final CountDownLatch release = new CountDownLatch(1); // lets stalled handlers finish
  private HttpServer server;
  private OkHttpClient http = new OkHttpClient();

  /** What the fake upstream does with one exchange. */
  private interface Handler {
    void handle(HttpExchange ex) throws Exception;
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) server.stop(0);
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private void stopServer() {
    server.stop(0);
    server = null;
  }

  private String serve(Handler h) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        ex -> {
          try {
            h.handle(ex);
          } catch (Exception clientGone) {
            // the reader stopped reading (over the cap, timed out): expected
          } finally {
            ex.close();
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  private CappedBody get(String url) throws Exception {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      return CappedBody.read(r, CAP);
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) ('a' + i % 26);
    return b;
  }

  /** Content-Length when {@code declared}, else chunked. */
  private static Handler body(byte[] b, boolean declared) {
    return ex -> {
      ex.sendResponseHeaders(200, declared ? b.length : 0);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    };
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  @Test
  void aBodyOfExactlyTheCapIsReadWhole() throws Exception {
    for (boolean declared : new boolean[] {true, false}) {
      byte[] page = bytes(CAP);
      CappedBody b = get(serve(body(page, declared)));
      assertEquals(CAP, b.length());
      assertArrayEquals(page, b.toByteArray());
      assertArrayEquals(page, Arrays.copyOf(b.buffer(), b.length()));
      stopServer();
    }
  }

  @Test
  void oneByteOverTheCapIsRefused() throws Exception {
    BodyTooLargeException e =
        assertThrows(BodyTooLargeException.class, () -> get(serve(body(bytes(CAP + 1), false))));
    assertFalse(e.declared());
    assertEquals(CAP, e.maxBytes());
    assertEquals(CAP + 1, e.bytes());
    assertEquals("body exceeds 100000 bytes (at least 100001 read)", e.getMessage());
  }

  @Test
  void aDeclaredLengthOverTheCapIsRefusedBeforeReading() throws Exception {
    // the server promises 1 GiB and sends ten bytes: reading would end in a truncated-body error
    String url =
        serve(
            ex -> {
              ex.sendResponseHeaders(200, 1L << 30);
              ex.getResponseBody().write(bytes(10));
              ex.getResponseBody().flush();
              release.await(10, TimeUnit.SECONDS);
            });
    BodyTooLargeException e = assertThrows(BodyTooLargeException.class, () -> get(url));
    assertTrue(e.declared());
    assertEquals(1L << 30, e.bytes());
  }

  @Test
  void aSmallBodyAndAnEmptyOneAreReadExactly() throws Exception {
    assertArrayEquals(bytes(7), get(serve(body(bytes(7), true))).toByteArray());
    stopServer();
    String empty =
        serve(
            ex -> {
              ex.sendResponseHeaders(204, -1);
            });
    assertEquals(0, get(empty).length());
  }

  @Test
  void gzipIsCappedAfterDecompression() throws Exception {
    // a few hundred bytes on the wire that inflate past the cap: a gzip bomb in miniature
    byte[] bomb = gzip(new byte[CAP + 1]);
    assertTrue(bomb.length < CAP / 10);
    String url =
        serve(
            ex -> {
              ex.getResponseHeaders().set("Content-Encoding", "gzip");
              body(bomb, true).handle(ex);
            });
    BodyTooLargeException e = assertThrows(BodyTooLargeException.class, () -> get(url));
    assertFalse(e.declared());
    stopServer();

    byte[] page = bytes(CAP);
    byte[] zipped = gzip(page);
    String ok =
        serve(
            ex -> {
              ex.getResponseHeaders().set("Content-Encoding", "gzip");
              body(zipped, true).handle(ex);
            });
    assertArrayEquals(page, get(ok).toByteArray());
  }

  @Test
  void aSlowBodyWithinTheTimeoutIsReadWhole() throws Exception {
    byte[] page = bytes(CAP);
    String url =
        serve(
            ex -> {
              ex.sendResponseHeaders(200, 0);
              OutputStream os = ex.getResponseBody();
              for (int i = 0; i < 5; i++) {
                os.write(page, i * CAP / 5, CAP / 5);
                os.flush();
                Thread.sleep(50);
              }
              os.close();
            });
    assertArrayEquals(page, get(url).toByteArray());
  }

  @Test
  void aFloodIsCutAtTheCapWithoutWaitingForTheRest() throws Exception {
    // past the cap the server stalls for good; the reader must not wait for an end that never comes
    http = new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(5)).build();
    String url =
        serve(
            ex -> {
              ex.sendResponseHeaders(200, 0);
              OutputStream os = ex.getResponseBody();
              os.write(bytes(CAP + 10));
              os.flush();
              release.await(5, TimeUnit.MINUTES);
            });
    BodyTooLargeException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> assertThrows(BodyTooLargeException.class, () -> get(url)));
    assertTrue(e.bytes() > CAP);
  }

  @Test
  void aBodyThatStallsUnderTheCapEndsInTheClientsTimeoutNotASizeError() throws Exception {
    http = new OkHttpClient.Builder().readTimeout(Duration.ofMillis(300)).build();
    String url =
        serve(
            ex -> {
              ex.sendResponseHeaders(200, 0);
              OutputStream os = ex.getResponseBody();
              os.write(bytes(1000));
              os.flush();
              release.await(30, TimeUnit.SECONDS);
            });
    assertThrows(InterruptedIOException.class, () -> get(url));
  }
}
