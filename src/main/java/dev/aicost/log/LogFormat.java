package dev.aicost.log;

/** {@code --log.format}: the two formats Prometheus' own components write. */
public enum LogFormat {
  LOGFMT,
  JSON;

  public static LogFormat parse(String s) {
    return switch (s) {
      case "logfmt" -> LOGFMT;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException("--log.format must be logfmt or json");
    };
  }
}
