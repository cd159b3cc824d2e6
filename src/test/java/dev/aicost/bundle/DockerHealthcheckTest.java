package dev.aicost.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.http.WebSecurity;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The image's HEALTHCHECK script against a real exporter: the configured address and basic auth.
 */
class DockerHealthcheckTest {
  private static final Path SCRIPT = Path.of("deploy/docker/healthcheck");
  @TempDir Path dir;

  @Test
  void probesTheConfiguredAddressWithCredentials() throws Exception {
    Path web =
        Files.writeString(
            dir.resolve("web.yml"),
            "basic_auth_users:\n  probe: '"
                + BCrypt.hashpw("s3cret pass", BCrypt.gensalt("$2y", 4))
                + "'\n");
    try (RunningExporter ex =
        new RunningExporter(
            """
        state: { path: %s }
        sources: { nvml: { enabled: false } }
        """
                .formatted(dir.resolve("l.db")),
            null,
            new MutableClock(Instant.parse("2026-11-23T10:00:00Z")),
            false,
            WebSecurity.load(web))) {
      String addr = "127.0.0.1:" + ex.exporter.port();
      assertEquals(1, probe(Map.of()), "nothing listens at the probed address");
      assertEquals(1, probe(Map.of("AICOST_HEALTHCHECK_ADDR", addr)), "401 without credentials");
      assertEquals(
          1,
          probe(
              Map.of(
                  "AICOST_HEALTHCHECK_ADDR",
                  addr,
                  "AICOST_HEALTHCHECK_USER",
                  "probe",
                  "AICOST_HEALTHCHECK_PASSWORD",
                  "wrong")));
      assertEquals(
          0,
          probe(
              Map.of(
                  "AICOST_HEALTHCHECK_ADDR",
                  addr,
                  "AICOST_HEALTHCHECK_USER",
                  "probe",
                  "AICOST_HEALTHCHECK_PASSWORD",
                  "s3cret pass")));
      assertEquals(
          0,
          probe(
              Map.of(
                  "AICOST_HEALTHCHECK_ADDR",
                  ":" + ex.exporter.port(),
                  "AICOST_HEALTHCHECK_USER",
                  "probe",
                  "AICOST_HEALTHCHECK_PASSWORD",
                  "s3cret pass")),
          ":port means this host");
    }
  }

  @Test
  void probesOverTlsWithClientCertificate() throws Exception {
    TestPki pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
    Path web =
        Files.writeString(
            pki.dir.resolve("web.yml"),
            """
        tls_server_config:
          cert_file: server-ec.crt
          key_file: server-ec.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
        basic_auth_users:
          probe: '%s'
        """
                .formatted(BCrypt.hashpw("pw", BCrypt.gensalt("$2y", 4))));
    try (RunningExporter ex =
        new RunningExporter(
            """
        state: { path: %s }
        sources: { nvml: { enabled: false } }
        """
                .formatted(dir.resolve("l.db")),
            null,
            new MutableClock(Instant.parse("2026-11-23T10:00:00Z")),
            false,
            WebSecurity.load(web))) {
      Map<String, String> env =
          new java.util.HashMap<>(
              Map.of(
                  "AICOST_HEALTHCHECK_ADDR",
                  "127.0.0.1:" + ex.exporter.port(),
                  "AICOST_HEALTHCHECK_USER",
                  "probe",
                  "AICOST_HEALTHCHECK_PASSWORD",
                  "pw"));
      assertEquals(1, probe(env), "plain HTTP to a TLS server");
      env.put("AICOST_HEALTHCHECK_TLS", "true");
      assertEquals(1, probe(env), "no client certificate");
      env.put("AICOST_HEALTHCHECK_CERT_FILE", pki.path("client.crt").toString());
      env.put("AICOST_HEALTHCHECK_KEY_FILE", pki.path("client.key").toString());
      env.put("AICOST_HEALTHCHECK_CA_FILE", pki.path("ca.crt").toString());
      assertEquals(0, probe(env));
      env.put("AICOST_HEALTHCHECK_CA_FILE", pki.path("stranger-ca.crt").toString());
      assertEquals(1, probe(env), "a server certificate the given CA did not sign");
    }
  }

  private static int probe(Map<String, String> env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", SCRIPT.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("AICOST_HEALTHCHECK_"));
    if (!env.containsKey("AICOST_HEALTHCHECK_ADDR"))
      pb.environment().put("AICOST_HEALTHCHECK_ADDR", "127.0.0.1:1");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("health check hung");
    }
    return p.exitValue();
  }
}
