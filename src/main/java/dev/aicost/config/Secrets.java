package dev.aicost.config;

/**
 * Removes URL credentials ({@code user:password@}) from any text bound for a user: problems, log
 * lines, HTTP answers. Works on malformed URLs too, since those are exactly the ones that end up
 * quoted in a validation message.
 */
public final class Secrets {
  public static final String MASK = "xxxxx";

  private Secrets() {}

  /**
   * Every whitespace- or quote-delimited token holding an {@code @} loses what stands between its
   * authority start ({@code ://}, else the last {@code //}, else the token start) and its last
   * {@code @}; a user name before {@code :} is kept, as Go's {@code url.Redacted} does.
   */
  public static String redact(String text) {
    if (text == null || text.indexOf('@') < 0) return text;
    StringBuilder out = new StringBuilder(text.length());
    int i = 0, n = text.length();
    while (i < n) {
      if (isBoundary(text.charAt(i))) {
        out.append(text.charAt(i++));
        continue;
      }
      int end = i;
      while (end < n && !isBoundary(text.charAt(end))) end++;
      out.append(redactToken(text.substring(i, end)));
      i = end;
    }
    return out.toString();
  }

  private static String redactToken(String token) {
    int at = token.lastIndexOf('@');
    if (at < 0) return token;
    int scheme = token.indexOf("://");
    int start =
        scheme >= 0
            ? scheme + 3
            : token.lastIndexOf("//", at) >= 0 ? token.lastIndexOf("//", at) + 2 : 0;
    if (start > at) return token;
    String userinfo = token.substring(start, at);
    int colon = userinfo.indexOf(':');
    String kept =
        colon > 0 && userinfo.lastIndexOf('/', colon) < 0
            ? userinfo.substring(0, colon + 1) + MASK
            : MASK;
    return token.substring(0, start) + kept + token.substring(at);
  }

  private static boolean isBoundary(char c) {
    return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
  }
}
