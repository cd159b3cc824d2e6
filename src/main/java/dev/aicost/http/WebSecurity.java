package dev.aicost.http;

import dev.aicost.config.ConfigException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.TooManyRequestsResponse;
import io.javalin.http.UnauthorizedResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * What {@code --web.config.file} turns on: a TLS connector (PEM files, optional client
 * certificates, protocol range), basic auth on every path, and extra response headers. {@link
 * #reload()} re-reads the file and the PEM files; a bad file keeps the previous settings in force,
 * as a bad main config does.
 *
 * <p>A successful bcrypt check is remembered (a SHA-256 of user and password, in memory only) so a
 * scrape every few seconds does not pay tens of milliseconds of bcrypt each time; unknown users are
 * checked against a dummy hash so their timing matches. Other checks are bounded (see {@link
 * #verify}).
 */
public final class WebSecurity {
  private static final Logger log = LoggerFactory.getLogger(WebSecurity.class);
  private static final String DUMMY_HASH =
      BCrypt.hashpw("aicost-exporter-dummy", BCrypt.gensalt(10));
  private static final int MAX_REMEMBERED = 256;

  /**
   * bcrypt checks at once: half the cores, so a wrong-password flood leaves the rest to scrapes.
   */
  static final int BCRYPT_SLOTS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  static final int FREE_FAILURES = 5;
  private static final long BASE_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int MAX_CLIENTS = 4096;

  private final Path file;
  private volatile WebConfig.Resolved current;
  private final SslContextFactory.Server ssl;
  private final Map<String, Boolean> verified = new ConcurrentHashMap<>();
  private final Semaphore bcryptSlots = new Semaphore(BCRYPT_SLOTS);
  private final Map<String, Backoff> backoff =
      new ConcurrentHashMap<>(); // client address -> failures

  private WebSecurity(Path file, WebConfig.Resolved config)
      throws GeneralSecurityException, IOException {
    this.file = file;
    this.current = config;
    this.ssl = config.tls() ? new SslContextFactory.Server() : null;
    if (ssl != null) configure(ssl, config);
  }

  /**
   * Reads the file; a problem in it or its PEM files is a {@link ConfigException} naming the path.
   */
  public static WebSecurity load(Path file) throws ConfigException {
    WebConfig.Resolved cfg = WebConfig.load(file);
    try {
      return new WebSecurity(file, cfg);
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException(List.of("tls_server_config: " + e.getMessage()));
    }
  }

  public boolean tls() {
    return ssl != null;
  }

  public WebConfig.Resolved config() {
    return current;
  }

  /** The connector Javalin serves on: TLS when the file says so, plain HTTP otherwise. */
  Connector connector(Server server, HttpConfiguration http, String host, int port) {
    ServerConnector c;
    if (ssl != null) {
      HttpConfiguration https = new HttpConfiguration(http);
      SecureRequestCustomizer src = new SecureRequestCustomizer();
      src.setSniHostCheck(false); // scraped by IP as often as by name
      https.addCustomizer(src);
      c =
          new ServerConnector(
              server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    } else {
      c = new ServerConnector(server, new HttpConnectionFactory(http));
    }
    c.setHost(host);
    c.setPort(port);
    return c;
  }

  /**
   * A before-handler: sets the configured headers, then demands basic auth when users are
   * configured. Refusals are 401, or 429 with Retry-After when the check would have to wait for
   * bcrypt.
   */
  void check(Context ctx, Refusals refusals) {
    WebConfig.Resolved cfg = current;
    cfg.headers().forEach(ctx::header);
    if (cfg.users().isEmpty()) return;
    String header = ctx.header("Authorization");
    Verdict verdict = Verdict.WRONG;
    String client = ctx.ip();
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        decoded = "";
      }
      int colon = decoded.indexOf(':');
      if (colon > 0)
        verdict = verify(cfg, decoded.substring(0, colon), decoded.substring(colon + 1), client);
    }
    if (verdict == Verdict.OK) return;
    if (verdict instanceof Verdict.Busy busy) {
      refusals.add(Refusals.Reason.AUTH_BUSY, 1, "client=" + client);
      ctx.header("Retry-After", Long.toString(busy.retryAfterSeconds()));
      throw new TooManyRequestsResponse();
    }
    refusals.add(Refusals.Reason.UNAUTHORIZED, 1, "client=" + client);
    ctx.header("WWW-Authenticate", "Basic realm=\"aicost-exporter\", charset=\"UTF-8\"");
    throw new UnauthorizedResponse(HttpStatus.UNAUTHORIZED.getMessage());
  }

  /** The outcome of one credential check. */
  sealed interface Verdict {
    Verdict OK = new Ok();
    Verdict WRONG = new Wrong();

    record Ok() implements Verdict {}

    record Wrong() implements Verdict {}

    /**
     * Not checked: every bcrypt slot busy, or this client is backing off after repeated failures.
     */
    record Busy(long retryAfterSeconds) implements Verdict {}
  }

  /**
   * A remembered success costs one SHA-256. Anything else needs bcrypt, which is bounded: at most
   * {@link #BCRYPT_SLOTS} checks at once (a flood is answered 429 at once instead of queueing on
   * the server's threads and CPU), and after {@link #FREE_FAILURES} failures in a row a client
   * address waits (1 s, doubling up to 10 s) before its next check, so other clients find a slot
   * free. A remembered password never waits: the backoff is checked after the remembered successes.
   */
  private Verdict verify(WebConfig.Resolved cfg, String user, String password, String client) {
    String hash = cfg.users().get(user);
    String key = fingerprint(user, password, hash);
    if (hash != null && verified.containsKey(key)) return Verdict.OK;
    long now = System.nanoTime();
    Backoff b = backoff.get(client);
    if (b != null && b.untilNanos - now > 0)
      return new Verdict.Busy(
          Math.max(1, TimeUnit.NANOSECONDS.toSeconds(b.untilNanos - now + 999_999_999)));
    if (!bcryptSlots.tryAcquire()) return new Verdict.Busy(1);
    boolean ok;
    try {
      ok = BCrypt.checkpw(password, hash != null ? hash : DUMMY_HASH) && hash != null;
    } finally {
      bcryptSlots.release();
    }
    if (ok) {
      if (verified.size() >= MAX_REMEMBERED) verified.clear();
      verified.put(key, Boolean.TRUE);
      backoff.remove(client);
      return Verdict.OK;
    }
    if (backoff.size() >= MAX_CLIENTS) backoff.clear();
    backoff.merge(client, new Backoff(1, now), (old, one) -> old.next(System.nanoTime()));
    return Verdict.WRONG;
  }

  /** Failures in a row of one client, and until when it is not checked again. */
  private record Backoff(int failures, long untilNanos) {
    Backoff next(long now) {
      int n = failures + 1;
      if (n < FREE_FAILURES) return new Backoff(n, now);
      long delay =
          Math.min(MAX_BACKOFF_NANOS, BASE_BACKOFF_NANOS << Math.min(20, n - FREE_FAILURES));
      return new Backoff(n, now + delay);
    }
  }

  private static String fingerprint(String user, String password, String hash) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(user.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(password.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(String.valueOf(hash).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }

  /**
   * Re-reads the web config file and its PEM files (a renewed certificate takes effect for new
   * connections). Switching TLS on or off needs a restart: the listener stays as it started.
   */
  public synchronized String reload() throws ConfigException {
    WebConfig.Resolved next = WebConfig.load(file);
    if (next.tls() != (ssl != null)) {
      throw new ConfigException(
          List.of(
              "tls_server_config: turning TLS "
                  + (next.tls() ? "on" : "off")
                  + " needs a restart"));
    }
    if (ssl != null) {
      try {
        // check the new material before touching the live factory
        configure(new SslContextFactory.Server(), next);
        ssl.reload(
            f -> {
              try {
                configure((SslContextFactory.Server) f, next);
              } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
              }
            });
      } catch (Exception e) {
        throw new ConfigException(List.of("tls_server_config: " + e.getMessage()));
      }
    }
    current = next;
    verified.clear();
    backoff.clear();
    log.info(
        "event=web_config_reloaded file={} tls={} users={} headers={}",
        file,
        next.tls(),
        next.users().size(),
        next.headers().size());
    return "web config reloaded";
  }

  /** Signs a probe with the key and verifies it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey key, X509Certificate cert) {
    String alg =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448: the key names its signature
        };
    try {
      byte[] probe = "aicost-exporter key check".getBytes(StandardCharsets.US_ASCII);
      java.security.Signature sign = java.security.Signature.getInstance(alg);
      sign.initSign(key);
      sign.update(probe);
      byte[] sig = sign.sign();
      java.security.Signature verify = java.security.Signature.getInstance(alg);
      verify.initVerify(cert.getPublicKey());
      verify.update(probe);
      return verify.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static void configure(SslContextFactory.Server f, WebConfig.Resolved cfg)
      throws GeneralSecurityException, IOException {
    List<X509Certificate> chain = PemFiles.certificates(cfg.certFile());
    PrivateKey key = PemFiles.privateKey(cfg.keyFile());
    if (!belongTogether(key, chain.get(0))) {
      throw new GeneralSecurityException(
          cfg.keyFile()
              + ": the private key does not belong to the first certificate in "
              + cfg.certFile());
    }
    char[] password = new char[0];
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
    f.setKeyStore(ks);
    f.setKeyStorePassword("");
    f.setKeyManagerPassword("");
    f.setIncludeProtocols(cfg.protocols().toArray(new String[0]));
    f.setNeedClientAuth(cfg.clientAuth() == WebConfig.ClientAuth.REQUIRE_AND_VERIFY);
    f.setWantClientAuth(cfg.clientAuth() == WebConfig.ClientAuth.VERIFY_IF_GIVEN);
    if (cfg.clientCaFile() != null) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : PemFiles.certificates(cfg.clientCaFile()))
        trust.setCertificateEntry("ca-" + i++, ca);
      f.setTrustStore(trust);
    }
  }
}
