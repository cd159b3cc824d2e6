package dev.aicost.collect;

/**
 * A collect that failed. {@code reason} is a short bounded token for the {@code reason} label
 * (timeout, connect, http_status, parse, too_large, auth, rate_limited, library, ...); the message
 * is for the log line and status page and must never contain a secret.
 */
public class SourceException extends Exception {
  private final String reason;

  public SourceException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public SourceException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
