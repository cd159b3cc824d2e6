package dev.aicost.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.config.ConfigException;
import dev.aicost.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The web config file: every mistake is refused with its key path; PEM problems name the file,
 * never the key.
 */
class WebConfigTest {
  @TempDir static Path pkiDir;
  static TestPki pki;

  @BeforeAll
  static void makePki() throws Exception {
    pki = new TestPki(pkiDir);
  }

  private static List<String> problems(String yaml) throws Exception {
    Path f = Files.writeString(pkiDir.resolve("w-" + System.nanoTime() + ".yml"), yaml);
    ConfigException e = assertThrows(ConfigException.class, () -> WebSecurity.load(f));
    return e.problems();
  }

  private static void refused(String yaml, String expected) throws Exception {
    List<String> p = problems(yaml);
    assertTrue(
        p.stream().anyMatch(s -> s.contains(expected)),
        () -> "expected a problem containing \"" + expected + "\", got " + p);
  }

  @Test
  void everyProblemNamesItsPath() throws Exception {
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, certfile: x }\n",
        "tls_server_config.certfile: unknown key");
    refused(
        "tls_server_config: { cert_file: server-ec.crt }\n",
        "tls_server_config.key_file: required");
    refused(
        "tls_server_config: { cert_file: nope.crt, key_file: server-ec.key }\n",
        "tls_server_config.cert_file: " + pkiDir.resolve("nope.crt") + ": no such file");
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, client_auth_type: Sometimes }\n",
        "tls_server_config.client_auth_type: \"Sometimes\" is not one of");
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, client_auth_type: RequireAnyClientCert }\n",
        "RequireAnyClientCert (a client certificate that is not verified) is not supported");
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, client_auth_type: RequireAndVerifyClientCert }\n",
        "tls_server_config.client_ca_file: required with client_auth_type RequireAndVerifyClientCert");
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, min_version: TLS13, max_version: TLS12 }\n",
        "tls_server_config.min_version: TLS13 is above max_version TLS12");
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, min_version: SSL3 }\n",
        "tls_server_config.min_version: \"SSL3\" is not one of TLS10, TLS11, TLS12, TLS13");
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.key, cipher_suites: [TLS_AES_128_GCM_SHA256] }\n",
        "tls_server_config.cipher_suites: not supported by this exporter");
    refused(
        "http_server_config: { headers: { Server: x } }\n",
        "http_server_config.headers.Server: not allowed");
    refused("http_server_config: { http2: true }\n", "http_server_config.http2: not supported");
    refused("basic_auth_users: [alice]\n", "basic_auth_users: expected a mapping");
    refused("basic_auth_users: { alice: }\n", "basic_auth_users.alice: not a bcrypt hash");
    refused("web: {}\n", "web: unknown key");
  }

  @Test
  void passwordsAndHashesAreNeverEchoed() throws Exception {
    List<String> p =
        problems(
            "basic_auth_users: { alice: 'hunter2', 'bo:b': '"
                + BCrypt.hashpw("x", BCrypt.gensalt(4))
                + "' }\n");
    assertEquals(2, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("basic_auth_users.alice: not a bcrypt hash"), p.toString());
    assertTrue(p.get(1).startsWith("basic_auth_users.bo:b: a user name"), p.toString());
    assertFalse(p.toString().contains("hunter2"));
    assertFalse(p.toString().contains("$2a$04$"));
    // and the loaded configuration's string form carries no hashes either
    String hash = BCrypt.hashpw("x", BCrypt.gensalt(4));
    Path f =
        Files.writeString(
            pkiDir.resolve("ok.yml"), "basic_auth_users: { alice: '" + hash + "' }\n");
    String shown = WebSecurity.load(f).config().toString();
    assertFalse(shown.contains(hash.substring(7)), shown);
    assertTrue(shown.contains("users=1"), shown);
  }

  @Test
  void pemProblemsNameTheFile() throws Exception {
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-rsa.key }\n",
        "server-rsa.key: the private key does not belong to the first certificate in");
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: encrypted.key }\n",
        "encrypted.key: the private key is encrypted");
    Files.writeString(pkiDir.resolve("garbage.pem"), "this is not PEM\n");
    refused(
        "tls_server_config: { cert_file: garbage.pem, key_file: server-ec.key }\n",
        "garbage.pem: not a PEM file");
    refused(
        "tls_server_config: { cert_file: server-ec.key, key_file: server-ec.key }\n",
        "server-ec.key: no PEM CERTIFICATE block");
    refused(
        "tls_server_config: { cert_file: server-ec.crt, key_file: server-ec.crt }\n",
        "server-ec.crt: no PEM private key block");
    List<String> p =
        problems("tls_server_config: { cert_file: server-ec.crt, key_file: server-rsa.key }\n");
    String keyBody =
        Files.readString(pki.path("server-rsa.key")).lines().skip(1).findFirst().orElseThrow();
    assertFalse(p.toString().contains(keyBody), "no key material in messages");
  }

  @Test
  void pathsResolveFromTheWebConfigsDirectory() throws Exception {
    Path elsewhere = Files.createDirectories(pkiDir.resolve("sub"));
    Path f =
        Files.writeString(
            elsewhere.resolve("web.yml"),
            "tls_server_config: { cert_file: ../server-ec.crt, key_file: ../server-ec.key }\n");
    WebConfig.Resolved r = WebSecurity.load(f).config();
    assertEquals(pki.path("server-ec.crt").normalize(), r.certFile().normalize());
    assertEquals(
        List.of("TLSv1.2", "TLSv1.3"),
        r.protocols(),
        "default range TLS12..TLS13, as exporter-toolkit");
  }

  @Test
  void anEmptyFileMeansNothingChanges() throws Exception {
    Path f = Files.writeString(pkiDir.resolve("empty.yml"), "");
    WebSecurity w = WebSecurity.load(f);
    assertFalse(w.tls());
    assertTrue(w.config().users().isEmpty());
  }
}
