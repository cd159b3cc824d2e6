package dev.aicost.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * --web.config.file end to end: the whole exporter serving over TLS with certificates and keys made
 * by the real openssl, basic auth with bcrypt hashes, client certificates, protocol limits, and
 * POST /-/reload rotating passwords and certificates. Clients are the JDK's HttpClient, speaking
 * real TLS.
 */
class WebSecurityTest {
  @TempDir static Path pkiDir;
  static TestPki pki;
  @TempDir Path dir;
  private RunningExporter ex;

  private static final String ALICE_HASH = BCrypt.hashpw("correct horse", BCrypt.gensalt("$2y", 4));
  private static final String BOB_HASH = BCrypt.hashpw("battery staple", BCrypt.gensalt("$2a", 4));

  @BeforeAll
  static void makePki() throws Exception {
    pki = new TestPki(pkiDir);
  }

  @AfterEach
  void stop() {
    if (ex != null) ex.close();
  }

  private Path webConfig(String yaml) throws IOException {
    // the web config lives beside the PEM files: relative paths resolve from its directory
    return Files.writeString(pkiDir.resolve("web-" + System.nanoTime() + ".yml"), yaml);
  }

  private RunningExporter start(Path web) throws Exception {
    return start(web, "");
  }

  private RunningExporter start(Path web, String moreYaml) throws Exception {
    String yaml =
        "state: { path: "
            + dir.resolve("l.db")
            + " }\nsources: { nvml: { enabled: false } }\n"
            + moreYaml;
    Path cfg = Files.writeString(dir.resolve("c.yml"), yaml);
    ex =
        new RunningExporter(
            yaml,
            cfg,
            new MutableClock(Instant.parse("2026-11-23T10:00:00Z")),
            false,
            WebSecurity.load(web));
    return ex;
  }

  private HttpClient client(SSLContext ctx, String... protocols) {
    HttpClient.Builder b =
        HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5));
    if (protocols.length > 0) {
      SSLParameters p = new SSLParameters();
      p.setProtocols(protocols);
      b.sslParameters(p);
    }
    return b.build();
  }

  private HttpResponse<String> get(HttpClient c, String path, String user, String password)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ex.exporter.port() + path))
            .timeout(Duration.ofSeconds(10));
    if (user != null)
      r.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return c.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(HttpClient c, String path, String user, String password)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ex.exporter.port() + path))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10));
    r.header(
        "Authorization",
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return c.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tlsAndBasicAuthGuardEveryPath() throws Exception {
    start(
        webConfig(
            """
        tls_server_config:
          cert_file: server-rsa.crt
          key_file: server-rsa.key
        http_server_config:
          headers:
            X-Frame-Options: deny
            Strict-Transport-Security: max-age=31536000
        basic_auth_users:
          alice: '%s'
          bob: '%s'
        """
                .formatted(ALICE_HASH, BOB_HASH)));
    HttpClient c = client(pki.clientContext("ca", null));

    HttpResponse<String> ok = get(c, "/metrics", "alice", "correct horse");
    assertEquals(200, ok.statusCode());
    assertTrue(ok.body().contains("aicost_build_info"), ok.body());
    assertEquals("deny", ok.headers().firstValue("X-Frame-Options").orElse(null));
    assertEquals(
        "max-age=31536000", ok.headers().firstValue("Strict-Transport-Security").orElse(null));
    assertEquals(
        200,
        get(c, "/metrics", "bob", "battery staple").statusCode(),
        "$2a$ hashes work as well as $2y$");
    // the cached success must not let a wrong password through afterwards
    assertEquals(401, get(c, "/metrics", "alice", "correct horse!").statusCode());

    for (String path :
        new String[] {
          "/metrics", "/", "/-/healthy", "/-/ready", "/api/v1/status", "/no-such-page"
        }) {
      HttpResponse<String> none = get(c, path, null, null);
      assertEquals(401, none.statusCode(), path);
      assertTrue(
          none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="),
          path);
      assertFalse(none.body().contains("aicost_"), path);
      assertEquals(
          "deny",
          none.headers().firstValue("X-Frame-Options").orElse(null),
          "headers on refusals too: " + path);
    }
    assertEquals(401, get(c, "/metrics", "alice", "wrong").statusCode());
    assertEquals(401, get(c, "/metrics", "mallory", "correct horse").statusCode());
    assertEquals(401, get(c, "/metrics", "alice:correct horse", "").statusCode());

    // plain HTTP on the TLS port gets no metrics
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ex.exporter.port() + "/metrics"))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      HttpResponse<String> resp = plain.send(r, HttpResponse.BodyHandlers.ofString());
      assertNotEquals(200, resp.statusCode());
      assertFalse(resp.body().contains("aicost_"));
    } catch (IOException expected) {
      // Jetty may also just close the connection
    }
    // a client that does not trust our CA refuses the server
    assertThrows(
        IOException.class,
        () ->
            get(
                client(pki.clientContext("stranger-ca", null)),
                "/metrics",
                "alice",
                "correct horse"));
  }

  @Test
  void everyPemKeyFormServes() throws Exception {
    for (String k : new String[] {"server-rsa", "server-ec", "server-ec8"}) {
      start(
          webConfig(
              "tls_server_config: { cert_file: %s.crt, key_file: %s.key }\n".formatted(k, k)));
      HttpResponse<String> r = get(client(pki.clientContext("ca", null)), "/-/healthy", null, null);
      assertEquals(200, r.statusCode(), k);
      X509Certificate served =
          (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
      assertEquals(pki.cert(k).getSerialNumber(), served.getSerialNumber(), k);
      ex.close();
      ex = null;
    }
    // Ed25519: the key loads and matches its certificate (whether a handshake uses it is the
    // client's choice)
    assertTrue(
        WebSecurity.load(
                webConfig(
                    "tls_server_config: { cert_file: server-ed.crt, key_file: server-ed.key }\n"))
            .tls());
  }

  @Test
  void clientCertificatesWhenRequired() throws Exception {
    start(
        webConfig(
            """
        tls_server_config:
          cert_file: server-ec.crt
          key_file: server-ec.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
        """));
    assertEquals(
        200, get(client(pki.clientContext("ca", "client")), "/metrics", null, null).statusCode());
    assertThrows(
        IOException.class,
        () -> get(client(pki.clientContext("ca", null)), "/metrics", null, null),
        "no client certificate");
    assertThrows(
        IOException.class,
        () -> get(client(pki.clientContext("ca", "stranger")), "/metrics", null, null),
        "a certificate from another CA");
  }

  @Test
  void clientCertificatesWhenGiven() throws Exception {
    start(
        webConfig(
            """
        tls_server_config:
          cert_file: server-ec.crt
          key_file: server-ec.key
          client_auth_type: VerifyClientCertIfGiven
          client_ca_file: ca.crt
        """));
    assertEquals(
        200, get(client(pki.clientContext("ca", "client")), "/metrics", null, null).statusCode());
    assertEquals(
        200, get(client(pki.clientContext("ca", null)), "/metrics", null, null).statusCode());
    assertThrows(
        IOException.class,
        () -> get(client(pki.clientContext("ca", "stranger")), "/metrics", null, null));
  }

  @Test
  void protocolRange() throws Exception {
    start(
        webConfig(
            "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, min_version: TLS13 }\n"));
    assertEquals(
        200,
        get(client(pki.clientContext("ca", null), "TLSv1.3"), "/-/healthy", null, null)
            .statusCode());
    assertThrows(
        IOException.class,
        () -> get(client(pki.clientContext("ca", null), "TLSv1.2"), "/-/healthy", null, null));
    ex.close();
    start(
        webConfig(
            "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, max_version: TLS12 }\n"));
    HttpResponse<String> r = get(client(pki.clientContext("ca", null)), "/-/healthy", null, null);
    assertEquals("TLSv1.2", r.sslSession().orElseThrow().getProtocol());
  }

  @Test
  void reloadRotatesPasswordsAndCertificatesAndKeepsTheOldOnesOnABadFile() throws Exception {
    Path web =
        webConfig(
            """
        tls_server_config: { cert_file: rotate.crt, key_file: rotate.key }
        basic_auth_users: { alice: '%s' }
        """
                .formatted(ALICE_HASH));
    Files.copy(
        pki.path("server-ec.crt"),
        pkiDir.resolve("rotate.crt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        pki.path("server-ec.key"),
        pkiDir.resolve("rotate.key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    start(web);
    HttpClient c = client(pki.clientContext("ca", null));
    BigInteger before = serial(get(c, "/-/healthy", "alice", "correct horse"));
    assertEquals(pki.cert("server-ec").getSerialNumber(), before);

    // new password and a renewed certificate with a new key
    String newHash = BCrypt.hashpw("new secret", BCrypt.gensalt("$2y", 4));
    Files.writeString(
        web,
        """
        tls_server_config: { cert_file: rotate.crt, key_file: rotate.key }
        basic_auth_users: { alice: '%s' }
        """
            .formatted(newHash));
    pki.ossl(
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "rotate.key");
    pki.signed("rotate", "ca", "localhost", "IP:127.0.0.1,DNS:localhost");
    HttpResponse<String> reload = post(c, "/-/reload", "alice", "correct horse");
    assertEquals(200, reload.statusCode(), reload.body());
    assertEquals(
        401,
        get(c, "/metrics", "alice", "correct horse").statusCode(),
        "the old password is gone, cached or not");
    HttpClient fresh =
        client(pki.clientContext("ca", null)); // a new connection sees the new certificate
    HttpResponse<String> after = get(fresh, "/metrics", "alice", "new secret");
    assertEquals(200, after.statusCode());
    assertEquals(pki.cert("rotate").getSerialNumber(), serial(after));

    // a broken web config is refused with its path, and the running settings stay
    Files.writeString(
        web,
        """
        tls_server_config: { cert_file: rotate.crt, key_file: rotate.key }
        basic_auth_users: { alice: 'plain-text-password' }
        """);
    HttpResponse<String> bad = post(fresh, "/-/reload", "alice", "new secret");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("basic_auth_users.alice: not a bcrypt hash"), bad.body());
    assertFalse(bad.body().contains("plain-text-password"), "the value is never echoed");
    assertEquals(200, get(fresh, "/metrics", "alice", "new secret").statusCode());

    // switching TLS off needs a restart: refused, still serving TLS
    Files.writeString(web, "basic_auth_users: { alice: '%s' }\n".formatted(newHash));
    HttpResponse<String> off = post(fresh, "/-/reload", "alice", "new secret");
    assertEquals(400, off.statusCode());
    assertTrue(off.body().contains("needs a restart"), off.body());
    assertEquals(
        200,
        get(client(pki.clientContext("ca", null)), "/-/healthy", "alice", "new secret")
            .statusCode());
  }

  @Test
  void aWrongPasswordFloodGetsQuickRefusalsAndLeavesKnownScrapersAlone() throws Exception {
    // cost 12: a few hundred ms per check, so concurrent wrong passwords certainly overlap
    String slowHash = BCrypt.hashpw("correct horse", BCrypt.gensalt("$2y", 12));
    start(webConfig("basic_auth_users: { alice: '%s' }\n".formatted(slowHash)));
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + ex.exporter.port();
    assertEquals(
        200,
        plainGet(c, base, "alice", "correct horse").statusCode(),
        "first login pays bcrypt once");

    int flood = 16;
    java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> wrong =
        new java.util.ArrayList<>();
    for (int i = 0; i < flood; i++) {
      wrong.add(
          c.sendAsync(
              plainRequest(base, i % 2 == 0 ? "alice" : "mallory", "guess " + i),
              HttpResponse.BodyHandlers.ofString()));
    }
    // while the flood is on, the known scraper is served (its success is remembered: no bcrypt for
    // it)
    assertEquals(200, plainGet(c, base, "alice", "correct horse").statusCode());
    int refused401 = 0, busy429 = 0;
    for (var f : wrong) {
      HttpResponse<String> r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      if (r.statusCode() == 401) refused401++;
      if (r.statusCode() == 429) {
        busy429++;
        assertTrue(
            Integer.parseInt(r.headers().firstValue("Retry-After").orElse("0")) >= 1,
            "Retry-After seconds");
      }
      assertFalse(r.body().contains("aicost_"));
    }
    assertEquals(flood, refused401 + busy429);
    assertTrue(
        busy429 > 0,
        "every wrong password queued for its own bcrypt check: " + refused401 + " x 401");
    assertTrue(refused401 >= 1, "some wrong passwords were checked");

    // the refusals are counted, and nothing of the passwords is exposed
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    String metrics = "";
    while (System.nanoTime() < until
        && !(metrics.contains("reason=\"auth_busy\"} " + busy429 + ".0")
            && metrics.contains("reason=\"unauthorized\"} " + refused401 + ".0"))) {
      metrics = plainGet(c, base, "alice", "correct horse").body();
      Thread.sleep(50);
    }
    assertTrue(
        metrics.contains("aicost_http_refused_total{reason=\"auth_busy\"} " + busy429 + ".0"),
        metrics);
    assertTrue(
        metrics.contains("aicost_http_refused_total{reason=\"unauthorized\"} " + refused401 + ".0"),
        metrics);
    assertFalse(metrics.contains("guess"));
  }

  @Test
  void aClientFailingRepeatedlyBacksOffButARememberedPasswordStillWorks() throws Exception {
    start(webConfig("basic_auth_users: { alice: '%s' }\n".formatted(ALICE_HASH)));
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + ex.exporter.port();
    assertEquals(200, plainGet(c, base, "alice", "correct horse").statusCode());
    for (int i = 0; i < WebSecurity.FREE_FAILURES; i++)
      assertEquals(401, plainGet(c, base, "alice", "guess " + i).statusCode(), "failure " + i);
    HttpResponse<String> waiting = plainGet(c, base, "alice", "guess again");
    assertEquals(
        429,
        waiting.statusCode(),
        "checked again right after " + WebSecurity.FREE_FAILURES + " failures");
    assertTrue(Integer.parseInt(waiting.headers().firstValue("Retry-After").orElse("0")) >= 1);
    assertEquals(
        200,
        plainGet(c, base, "alice", "correct horse").statusCode(),
        "a remembered success needs no bcrypt, so no wait");
  }

  @Test
  void aTrickledTlsHandshakeIsCutOff() throws Exception {
    // 2 s: a real handshake on a loaded 2-core CI machine must still fit
    start(
        webConfig("tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key }\n"),
        "server: { read_header_timeout: 2s }\n");
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", ex.exporter.port())) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(1);
      // a TLS record header announcing a 512-byte ClientHello, then its bytes one at a time
      s.getOutputStream()
          .write(
              new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      boolean closed = false;
      while (!closed && System.nanoTime() < deadline) {
        try {
          s.getOutputStream().write(0);
          closed = s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
          Thread.sleep(50);
        } catch (IOException reset) {
          closed = true;
        }
      }
      assertTrue(closed, "a handshake trickled for 15 s is still open with a 2 s header timeout");
    }
    assertEquals(
        200, get(client(pki.clientContext("ca", null)), "/-/healthy", null, null).statusCode());
  }

  private static HttpRequest plainRequest(String base, String user, String password) {
    return HttpRequest.newBuilder(URI.create(base + "/metrics"))
        .timeout(Duration.ofSeconds(60))
        .header(
            "Authorization",
            "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  private static HttpResponse<String> plainGet(
      HttpClient c, String base, String user, String password) throws Exception {
    return c.send(plainRequest(base, user, password), HttpResponse.BodyHandlers.ofString());
  }

  private static BigInteger serial(HttpResponse<String> r) throws Exception {
    return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0])
        .getSerialNumber();
  }
}
