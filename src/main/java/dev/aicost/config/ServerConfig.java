package dev.aicost.config;

/** {@code server:} where and how /metrics is served. */
public record ServerConfig(String listen, String telemetryPath, String webConfigFile) {
  public static final String DEFAULT_LISTEN = ":10042";

  public ServerConfig {
    listen = listen != null ? listen : DEFAULT_LISTEN;
    telemetryPath = telemetryPath != null ? telemetryPath : "/metrics";
  }
}
