package dev.aicost.source;

import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * What the admin-key clients (OpenAI, Anthropic) make of a failed call, each counted once as an
 * upstream call of its operation: a refused key (401/403) is {@code auth}, a transport failure is
 * {@code timeout}, {@code connect} or {@code io}; and the {@code retry-after} of a 429. Messages
 * name the request and where the key came from, never the key or the upstream's text.
 */
public final class AdminApiFailures {
  /**
   * The longest wait a retry-after can impose: a lying or broken upstream cannot mute us longer.
   */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private AdminApiFailures() {}

  /**
   * Throws {@code auth} when {@code code} is 401 or 403 (counted as {@code http_<code>}); any other
   * code returns.
   *
   * @param where the request or API root, for the message
   * @param hint what such a refusal usually means for this provider
   */
  public static void refusedKey(
      int code, String op, String where, AdminKey key, String hint, SourceContext ctx)
      throws SourceException {
    if (code != 401 && code != 403) return;
    ctx.upstreamCall(op, "http_" + code);
    throw new SourceException(
        "auth",
        where
            + " answered HTTP "
            + code
            + ": the admin key from "
            + key.describe()
            + " was refused ("
            + hint
            + ")");
  }

  /**
   * A transport failure as a counted {@link SourceException}: a socket or call timeout is {@code
   * timeout}, a refused connection or unknown host {@code connect}, anything else {@code io}.
   *
   * @param what the request, for the message ({@code /v1/organization/costs})
   * @param host what could not be connected to
   */
  public static SourceException transport(
      IOException e, String op, String what, String host, Duration timeout, SourceContext ctx) {
    if (e instanceof InterruptedIOException) {
      ctx.upstreamCall(op, "timeout");
      return new SourceException(
          "timeout", what + " did not answer within " + timeout.toMillis() + " ms");
    }
    if (e instanceof ConnectException || e instanceof UnknownHostException) {
      ctx.upstreamCall(op, "connect_error");
      return new SourceException(
          "connect", "cannot connect to " + host + ": " + e.getClass().getSimpleName());
    }
    ctx.upstreamCall(op, "error");
    return new SourceException(
        "io", "reading " + what + " failed: " + e.getClass().getSimpleName());
  }

  /**
   * A {@code retry-after} header: seconds or an HTTP date, at most {@link #MAX_RETRY_AFTER}, never
   * negative; null when absent or unreadable (each client has its own default).
   */
  public static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) return null;
    Duration d;
    try {
      d = Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at =
            ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        d = Duration.between(Instant.now(), at);
        if (d.isNegative()) d = Duration.ZERO;
      } catch (RuntimeException notDate) { // DateTimeParseException, or a date out of range
        return null;
      }
    }
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }
}
