package dev.aicost.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates and keys made with the real {@code openssl} at test time (nothing committed): a CA,
 * server certificates for 127.0.0.1 with keys in each PEM form users have (PKCS#1 RSA, SEC1 EC,
 * PKCS#8, Ed25519), client certificates from that CA and from a stranger CA. Skips on a developer
 * box without openssl; fails under CI=true.
 */
public final class TestPki {
  public final Path dir;
  private final String openssl;

  public TestPki(Path dir) throws Exception {
    this.dir = dir;
    this.openssl = Tools.require("openssl", "Debian's openssl package").toString();
    ca("ca");
    ca("stranger-ca");
    // server keys in the forms tls.LoadX509KeyPair accepts
    ossl("genrsa", "-traditional", "-out", "server-rsa.key", "2048"); // BEGIN RSA PRIVATE KEY
    ossl(
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "server-ec.key"); // BEGIN EC PRIVATE KEY
    ossl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "server-ec8.key"); // BEGIN PRIVATE KEY
    ossl("genpkey", "-algorithm", "ed25519", "-out", "server-ed.key");
    for (String k : List.of("server-rsa", "server-ec", "server-ec8", "server-ed"))
      signed(k, "ca", "localhost", "IP:127.0.0.1,DNS:localhost");
    ossl(
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "client.key");
    signed("client", "ca", "scraper", "DNS:scraper");
    ossl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "stranger.key");
    signed("stranger", "stranger-ca", "stranger", "DNS:stranger");
    // an encrypted key, which the exporter must refuse with a clear message
    ossl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-aes256",
        "-pass",
        "pass:secret-passphrase",
        "-out",
        "encrypted.key");
  }

  private void ca(String name) throws Exception {
    ossl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        name + ".key");
    ossl(
        "req",
        "-x509",
        "-new",
        "-key",
        name + ".key",
        "-subj",
        "/CN=" + name,
        "-days",
        "2",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        name + ".crt");
  }

  /** A certificate for {@code name}.key signed by {@code ca}. */
  public void signed(String name, String ca, String cn, String san) throws Exception {
    ossl(
        "req",
        "-x509",
        "-new",
        "-key",
        name + ".key",
        "-CA",
        ca + ".crt",
        "-CAkey",
        ca + ".key",
        "-subj",
        "/CN=" + cn,
        "-days",
        "2",
        "-addext",
        "subjectAltName=" + san,
        "-addext",
        "basicConstraints=CA:FALSE",
        "-out",
        name + ".crt");
  }

  public void ossl(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = openssl;
    System.arraycopy(args, 0, cmd, 1, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
  }

  public Path path(String file) {
    return dir.resolve(file);
  }

  public X509Certificate cert(String name) throws Exception {
    try (InputStream in = Files.newInputStream(path(name + ".crt"))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /**
   * A client TLS context that trusts {@code ca}, optionally presenting the client certificate
   * {@code client}.
   */
  public SSLContext clientContext(String ca, String client) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", cert(ca));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (client != null) {
      // the client key as PKCS#8 DER, made by openssl, read by the JDK directly
      ossl(
          "pkcs8",
          "-topk8",
          "-nocrypt",
          "-in",
          client + ".key",
          "-outform",
          "DER",
          "-out",
          client + ".p8");
      java.security.PrivateKey key =
          java.security.KeyFactory.getInstance("EC")
              .generatePrivate(
                  new java.security.spec.PKCS8EncodedKeySpec(
                      Files.readAllBytes(path(client + ".p8"))));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "client", key, new char[0], new java.security.cert.Certificate[] {cert(client)});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    // present the certificate whatever CAs the server names: a stranger's certificate must reach
    // the server
    // and be refused there, not be held back by the client's own key manager
    javax.net.ssl.KeyManager[] kms = null;
    if (kmf != null) {
      javax.net.ssl.X509ExtendedKeyManager km =
          (javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0];
      kms =
          new javax.net.ssl.KeyManager[] {
            new javax.net.ssl.X509ExtendedKeyManager() {
              @Override
              public String[] getClientAliases(String t, java.security.Principal[] i) {
                return new String[] {"client"};
              }

              @Override
              public String chooseClientAlias(
                  String[] t, java.security.Principal[] i, java.net.Socket s) {
                return "client";
              }

              @Override
              public String chooseEngineClientAlias(
                  String[] t, java.security.Principal[] i, javax.net.ssl.SSLEngine e) {
                return "client";
              }

              @Override
              public String[] getServerAliases(String t, java.security.Principal[] i) {
                return null;
              }

              @Override
              public String chooseServerAlias(
                  String t, java.security.Principal[] i, java.net.Socket s) {
                return null;
              }

              @Override
              public X509Certificate[] getCertificateChain(String alias) {
                return km.getCertificateChain(alias);
              }

              @Override
              public java.security.PrivateKey getPrivateKey(String alias) {
                return km.getPrivateKey(alias);
              }
            }
          };
    }
    ctx.init(kms, tmf.getTrustManagers(), new SecureRandom());
    return ctx;
  }
}
