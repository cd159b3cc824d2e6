package dev.aicost.config;

import java.time.Duration;

/** {@code server:} where and how /metrics is served. */
public record ServerConfig(
    String listen, String telemetryPath, String webConfigFile, Duration readHeaderTimeout) {
  public static final String DEFAULT_LISTEN = ":10042";

  /**
   * As Go's http.Server.ReadHeaderTimeout: from a request's first byte to the end of its headers.
   */
  public static final Duration DEFAULT_READ_HEADER_TIMEOUT = Duration.ofSeconds(10);

  public ServerConfig {
    listen = listen != null ? listen : DEFAULT_LISTEN;
    telemetryPath = telemetryPath != null ? telemetryPath : "/metrics";
    readHeaderTimeout = readHeaderTimeout != null ? readHeaderTimeout : DEFAULT_READ_HEADER_TIMEOUT;
  }
}
