package dev.aicost.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code host:port}, {@code :port} or {@code [v6]:port}, as Prometheus' --web.listen-address takes
 * it.
 */
public record ListenAddress(String host, int port) {
  private static final Pattern FORM =
      Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9_.-]*):(\\d{1,5})");

  /**
   * @throws IllegalArgumentException with a message fit for the user, without the flag or key name
   */
  public static ListenAddress parse(String text) {
    Matcher m = text == null ? null : FORM.matcher(text);
    if (m == null || !m.matches())
      throw new IllegalArgumentException("must be host:port or :port, got \"" + text + "\"");
    int port = Integer.parseInt(m.group(2));
    if (port > 65535)
      throw new IllegalArgumentException("port " + port + " is out of range (0-65535)");
    String host = m.group(1);
    if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
    return new ListenAddress(host.isEmpty() ? "0.0.0.0" : host, port);
  }

  /** For logs: {@code 0.0.0.0:10042}, {@code [::1]:10042}. */
  public static String format(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
