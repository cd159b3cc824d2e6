package dev.aicost.http;

import dev.aicost.config.ConfigCopies;
import dev.aicost.config.ConfigException;
import dev.aicost.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The web config file of {@code --web.config.file}, in the Prometheus exporter-toolkit format, so
 * one file serves node_exporter and this exporter alike: TLS (optionally with client certificates),
 * basic auth users with bcrypt hashes, and extra response headers. File paths inside it are
 * relative to the file's own directory, as in exporter-toolkit. Keys exporter-toolkit has but this
 * exporter does not implement are refused by name rather than ignored, so nobody believes a setting
 * is in force when it is not.
 */
public record WebConfig(
    TlsServerConfig tlsServerConfig,
    HttpServerConfig httpServerConfig,
    Map<String, String> basicAuthUsers) {

  public WebConfig {
    basicAuthUsers = ConfigCopies.map(basicAuthUsers);
  }

  public static WebConfig empty() {
    return new WebConfig(null, null, null);
  }

  /** {@code tls_server_config:}. */
  public record TlsServerConfig(
      String certFile,
      String keyFile,
      String clientAuthType,
      String clientCaFile,
      String minVersion,
      String maxVersion,
      Object cipherSuites,
      Object curvePreferences,
      Object preferServerCipherSuites,
      Object clientAllowedSans,
      Object cert,
      Object key) {}

  /** {@code http_server_config:}. */
  public record HttpServerConfig(Map<String, String> headers, Object http2) {
    public HttpServerConfig {
      headers = ConfigCopies.map(headers);
    }
  }

  /** How client certificates are asked for; the exporter-toolkit names. */
  public enum ClientAuth {
    NONE,
    VERIFY_IF_GIVEN,
    REQUIRE_AND_VERIFY
  }

  /** The TLS protocol names for {@code min_version} / {@code max_version}. */
  static final Map<String, String> TLS_VERSIONS =
      Map.of("TLS10", "TLSv1", "TLS11", "TLSv1.1", "TLS12", "TLSv1.2", "TLS13", "TLSv1.3");

  static final List<String> TLS_ORDER = List.of("TLS10", "TLS11", "TLS12", "TLS13");

  /** The headers exporter-toolkit lets a web config set. */
  static final Set<String> ALLOWED_HEADERS =
      Set.of(
          "Strict-Transport-Security",
          "X-Content-Type-Options",
          "X-Frame-Options",
          "X-XSS-Protection",
          "Content-Security-Policy");

  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");

  /** The configuration with every path resolved and every value checked. */
  public record Resolved(
      Path certFile,
      Path keyFile,
      ClientAuth clientAuth,
      Path clientCaFile,
      List<String> protocols,
      Map<String, String> headers,
      Map<String, String> users) {
    public boolean tls() {
      return certFile != null;
    }

    /** Never prints password hashes. */
    @Override
    public String toString() {
      return "WebConfig[tls="
          + tls()
          + ", clientAuth="
          + clientAuth
          + ", protocols="
          + protocols
          + ", headers="
          + headers.keySet()
          + ", users="
          + users.size()
          + "]";
    }
  }

  /** Reads and checks the file; every problem names its key path. */
  public static Resolved load(Path file) throws ConfigException {
    WebConfig raw =
        new ConfigLoader().read(ConfigLoader.readText(file), WebConfig.class, WebConfig::empty);
    Path dir = file.toAbsolutePath().getParent();
    return raw.resolve(dir);
  }

  Resolved resolve(Path dir) throws ConfigException {
    List<String> problems = new ArrayList<>();
    Path cert = null, key = null, ca = null;
    ClientAuth auth = ClientAuth.NONE;
    List<String> protocols = List.of();
    TlsServerConfig t = tlsServerConfig;
    if (t != null) {
      unsupported(
          problems,
          "tls_server_config.cipher_suites",
          t.cipherSuites(),
          "the JVM's default TLS cipher suites are used");
      unsupported(
          problems,
          "tls_server_config.curve_preferences",
          t.curvePreferences(),
          "the JVM's default curves are used");
      unsupported(
          problems,
          "tls_server_config.prefer_server_cipher_suites",
          t.preferServerCipherSuites(),
          null);
      unsupported(
          problems,
          "tls_server_config.client_allowed_sans",
          t.clientAllowedSans(),
          "restrict client certificates by the CA in client_ca_file");
      unsupported(problems, "tls_server_config.cert", t.cert(), "use cert_file");
      unsupported(problems, "tls_server_config.key", t.key(), "use key_file");
      if (blank(t.certFile())) problems.add("tls_server_config.cert_file: required");
      else cert = existing(problems, "tls_server_config.cert_file", dir, t.certFile());
      if (blank(t.keyFile())) problems.add("tls_server_config.key_file: required");
      else key = existing(problems, "tls_server_config.key_file", dir, t.keyFile());
      String type = blank(t.clientAuthType()) ? "NoClientCert" : t.clientAuthType().trim();
      switch (type) {
        case "NoClientCert" -> auth = ClientAuth.NONE;
        case "VerifyClientCertIfGiven" -> auth = ClientAuth.VERIFY_IF_GIVEN;
        case "RequireAndVerifyClientCert" -> auth = ClientAuth.REQUIRE_AND_VERIFY;
        case "RequestClientCert", "RequireAnyClientCert" ->
            problems.add(
                "tls_server_config.client_auth_type: "
                    + type
                    + " (a client certificate that is not verified) is not supported; use VerifyClientCertIfGiven or RequireAndVerifyClientCert with client_ca_file");
        default ->
            problems.add(
                "tls_server_config.client_auth_type: \""
                    + type
                    + "\" is not one of NoClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert");
      }
      if (!blank(t.clientCaFile()))
        ca = existing(problems, "tls_server_config.client_ca_file", dir, t.clientCaFile());
      else if (auth != ClientAuth.NONE)
        problems.add("tls_server_config.client_ca_file: required with client_auth_type " + type);
      String min = version(problems, "tls_server_config.min_version", t.minVersion(), "TLS12");
      String max = version(problems, "tls_server_config.max_version", t.maxVersion(), "TLS13");
      if (min != null && max != null) {
        int lo = TLS_ORDER.indexOf(min), hi = TLS_ORDER.indexOf(max);
        if (lo > hi)
          problems.add("tls_server_config.min_version: " + min + " is above max_version " + max);
        else protocols = TLS_ORDER.subList(lo, hi + 1).stream().map(TLS_VERSIONS::get).toList();
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (httpServerConfig != null) {
      unsupported(
          problems,
          "http_server_config.http2",
          httpServerConfig.http2(),
          "the exporter serves HTTP/1.1");
      for (Map.Entry<String, String> h : httpServerConfig.headers().entrySet()) {
        String name =
            ALLOWED_HEADERS.stream()
                .filter(a -> a.equalsIgnoreCase(h.getKey()))
                .findFirst()
                .orElse(null);
        if (name == null) {
          problems.add(
              "http_server_config.headers."
                  + h.getKey()
                  + ": not allowed (allowed: "
                  + String.join(", ", ALLOWED_HEADERS.stream().sorted().toList())
                  + ")");
        } else if (h.getValue() == null
            || h.getValue().isBlank()
            || h.getValue().contains("\n")
            || h.getValue().contains("\r")) {
          problems.add("http_server_config.headers." + h.getKey() + ": must be one non-empty line");
        } else {
          headers.put(name, h.getValue());
        }
      }
    }
    Map<String, String> users = new LinkedHashMap<>();
    for (Map.Entry<String, String> u : basicAuthUsers.entrySet()) {
      String path = "basic_auth_users." + u.getKey();
      if (u.getKey().isEmpty() || u.getKey().contains(":"))
        problems.add(path + ": a user name is non-empty and has no ':'");
      else if (u.getValue() == null || !BCRYPT.matcher(u.getValue().trim()).matches()) {
        // the value is a secret-equivalent: never echoed
        problems.add(
            path
                + ": not a bcrypt hash (expected $2y$10$... from `htpasswd -nBC 10 \"\" | tr -d ':\\n'`)");
      } else users.put(u.getKey(), u.getValue().trim());
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return new Resolved(cert, key, auth, ca, protocols, Map.copyOf(headers), Map.copyOf(users));
  }

  private static void unsupported(
      List<String> problems, String path, Object value, String instead) {
    if (value != null)
      problems.add(
          path + ": not supported by this exporter" + (instead == null ? "" : "; " + instead));
  }

  private static String version(List<String> problems, String path, String value, String dflt) {
    if (blank(value)) return dflt;
    String v = value.trim().toUpperCase(Locale.ROOT);
    if (!TLS_VERSIONS.containsKey(v)) {
      problems.add(path + ": \"" + value + "\" is not one of " + String.join(", ", TLS_ORDER));
      return null;
    }
    return v;
  }

  private static Path existing(List<String> problems, String path, Path dir, String value) {
    Path p = dir.resolve(value.trim());
    if (!Files.isReadable(p)) {
      problems.add(path + ": " + p + ": " + (Files.exists(p) ? "not readable" : "no such file"));
      return null;
    }
    return p;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
