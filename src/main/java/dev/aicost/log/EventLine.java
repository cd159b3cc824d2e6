package dev.aicost.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.helpers.MessageFormatter;

/**
 * One log line as key/value pairs. Our call sites write {@code "event=x key={} other=\"{}\""}: the
 * template is split into keys and values and each {@code {}} filled with its argument as a whole
 * value, so an argument containing quotes, spaces or newlines stays one value and is escaped by the
 * format. A message that is not key=value (Jetty, Javalin) becomes {@code msg}.
 */
public final class EventLine {
  private EventLine() {}

  /**
   * The fields of a message: its own key/value pairs, or {@code msg} with the formatted message.
   */
  public static List<Map.Entry<String, String>> fields(String template, Object[] args) {
    List<Map.Entry<String, String>> out =
        parse(template == null ? "" : template, args == null ? new Object[0] : args);
    if (out != null) return out;
    return List.of(Map.entry("msg", MessageFormatter.basicArrayFormat(template, args)));
  }

  /** null when the template is not a sequence of key=value tokens. */
  private static List<Map.Entry<String, String>> parse(String t, Object[] args) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    int[] arg = {0};
    int i = 0, n = t.length();
    while (true) {
      while (i < n && t.charAt(i) == ' ') i++;
      if (i >= n) break;
      int eq = i;
      while (eq < n && t.charAt(eq) != '=' && t.charAt(eq) != ' ' && t.charAt(eq) != '"') eq++;
      if (eq == i || eq >= n || t.charAt(eq) != '=') return null;
      String key = t.substring(i, eq);
      int v = eq + 1;
      String raw;
      if (v < n && t.charAt(v) == '"') {
        int close = t.indexOf('"', v + 1);
        // a quoted template value ends at a quote followed by a space or the end
        while (close >= 0 && close + 1 < n && t.charAt(close + 1) != ' ')
          close = t.indexOf('"', close + 1);
        if (close < 0) return null;
        raw = t.substring(v + 1, close);
        i = close + 1;
      } else {
        int end = t.indexOf(' ', v);
        if (end < 0) end = n;
        raw = t.substring(v, end);
        i = end;
      }
      out.add(Map.entry(key, fill(raw, args, arg)));
    }
    if (out.isEmpty()) return null;
    return out;
  }

  private static String fill(String raw, Object[] args, int[] next) {
    if (!raw.contains("{}")) return raw;
    StringBuilder sb = new StringBuilder();
    int from = 0, at;
    while ((at = raw.indexOf("{}", from)) >= 0) {
      sb.append(raw, from, at);
      sb.append(next[0] < args.length ? String.valueOf(args[next[0]++]) : "{}");
      from = at + 2;
    }
    return sb.append(raw, from, raw.length()).toString();
  }

  /**
   * logfmt: a value with a space, '=', '"', a control character or nothing at all is quoted and
   * escaped.
   */
  public static void logfmt(StringBuilder sb, List<Map.Entry<String, String>> fields) {
    for (Map.Entry<String, String> f : fields) {
      if (sb.length() > 0) sb.append(' ');
      sb.append(f.getKey()).append('=');
      String v = f.getValue();
      if (needsQuotes(v)) quoted(sb, v);
      else sb.append(v);
    }
  }

  /** One JSON object; every value a string. */
  public static void json(StringBuilder sb, List<Map.Entry<String, String>> fields) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, String> f : fields) {
      if (!first) sb.append(',');
      first = false;
      quoted(sb, f.getKey());
      sb.append(':');
      quoted(sb, f.getValue());
    }
    sb.append('}');
  }

  private static boolean needsQuotes(String v) {
    if (v.isEmpty()) return true;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c <= ' '
          || c == '='
          || c == '"'
          || c == '\\'
          || c == 0x7f
          || Character.isSurrogate(c) && !validPair(v, i)) return true;
    }
    return false;
  }

  private static boolean validPair(String v, int i) {
    char c = v.charAt(i);
    if (Character.isHighSurrogate(c))
      return i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(v.charAt(i - 1));
  }

  /** A double-quoted string with JSON's escapes, which logfmt readers (go-logfmt) also read. */
  private static void quoted(StringBuilder sb, String v) {
    sb.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !validPair(v, i))
            sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
