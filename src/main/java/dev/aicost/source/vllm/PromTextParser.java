package dev.aicost.source.vllm;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Streaming parser for a Prometheus text page (format 0.0.4, or OpenMetrics 1.0 as written by
 * Python {@code prometheus_client}) that hands only the wanted samples to a {@link SampleConsumer}.
 *
 * <p>What is accepted:
 *
 * <ul>
 *   <li>sample lines {@code name[{labels}] value [timestamp] [# exemplar]}; names {@code
 *       [a-zA-Z_:][a-zA-Z0-9_:]*}, label names {@code [a-zA-Z_][a-zA-Z0-9_]*}, blanks/tabs around
 *       tokens, {@code name{}} and a trailing comma in the label set;
 *   <li>label values with the escapes {@code \\}, {@code \"}, {@code \n}; any other byte except a
 *       raw line feed (commas, {@code =}, braces, UTF-8) stands for itself;
 *   <li>values and timestamps in decimal or exponent notation, {@code NaN}, {@code Inf}, {@code
 *       Infinity} with optional sign (case-insensitive); the timestamp and any OpenMetrics exemplar
 *       are ignored;
 *   <li>comment lines ({@code # HELP}, {@code # TYPE}, {@code # UNIT}, anything else after {@code
 *       #}) are skipped unread; {@code # EOF} ends the page and only blank lines may follow it;
 *   <li>LF or CRLF line endings, blank lines, a last line without a line feed, a leading UTF-8 BOM.
 * </ul>
 *
 * <p>Strictness is the same for every sample line, wanted or not: anything that is not a
 * syntactically valid sample line (binary junk, an HTML error page, an unterminated label set or
 * value, a bad escape, a missing or unparsable value or timestamp, trailing text) throws {@link
 * PromParseException}, so a page that is not a metrics page is reported as such rather than
 * silently yielding nothing. Checks that need allocation are made on wanted samples only: a
 * duplicate label name there throws too. Not supported: quoted (UTF-8) metric names, hex floats.
 *
 * <p>Unwanted lines cost a byte scan and no allocation. A wanted sample whose label value is longer
 * than {@code maxLabelValueLength} bytes as written on the wire (escaped, UTF-8) is dropped and
 * reported via {@link SampleConsumer#skipped(String, String)} with reason {@code label_too_long}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PromTextParser {
  /** The {@code reason} passed to {@link SampleConsumer#skipped} for an over-long label value. */
  public static final String LABEL_TOO_LONG = "label_too_long";

  private static final int MAX_QUOTED = 80;

  private static final boolean[] NAME_START = new boolean[256];
  private static final boolean[] NAME_CHAR = new boolean[256];
  private static final boolean[] LABEL_START = new boolean[256];
  private static final boolean[] LABEL_CHAR = new boolean[256];

  static {
    for (int c = 0; c < 256; c++) {
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      boolean digit = c >= '0' && c <= '9';
      LABEL_START[c] = letter;
      LABEL_CHAR[c] = letter || digit;
      NAME_START[c] = letter || c == ':';
      NAME_CHAR[c] = letter || digit || c == ':';
    }
  }

  private static final double[] POW10 = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  private final int maxLabelValueLength;

  /**
   * @param maxLabelValueLength longer label values make the sample be skipped and reported via
   *     consumer.skipped(...)
   */
  public PromTextParser(int maxLabelValueLength) {
    if (maxLabelValueLength < 0) {
      throw new IllegalArgumentException(
          "maxLabelValueLength must be >= 0: " + maxLabelValueLength);
    }
    this.maxLabelValueLength = maxLabelValueLength;
  }

  /**
   * Parses a whole exposition page (Prometheus text 0.0.4 or OpenMetrics 1.0 as written by Python
   * prometheus_client). Only samples whose metric name (the full sample name as on the wire, e.g.
   * "vllm:prompt_tokens_total", "vllm:prompt_tokens_created", "vllm:request_prompt_tokens_sum") is
   * in {@code wanted} produce callbacks; all other lines are skipped without allocating. Comment
   * lines are skipped; optional timestamps are ignored.
   *
   * @param page the page bytes; only {@code page[0, length)} is read
   * @throws PromParseException on the first line that is not valid exposition text (see the class
   *     comment)
   */
  public void parse(byte[] page, int length, Set<String> wanted, SampleConsumer consumer)
      throws PromParseException {
    Objects.requireNonNull(page, "page");
    Objects.requireNonNull(wanted, "wanted");
    Objects.requireNonNull(consumer, "consumer");
    Objects.checkFromIndexSize(0, length, page.length);
    new Run(page, length, WantedNames.of(wanted), consumer, maxLabelValueLength).parse();
  }

  /** State of one parse call. */
  private static final class Run {
    private final byte[] buf;
    private final int end;
    private final WantedNames wanted;
    private final SampleConsumer consumer;
    private final int maxLabelValueLength;

    private int line = 1;
    private int lineStart;

    /** Per wanted label: name start, name end, value start, value end (escaped form). */
    private int[] spans = new int[32];

    private byte[] scratch;

    Run(byte[] buf, int end, WantedNames wanted, SampleConsumer consumer, int maxLabelValueLength) {
      this.buf = buf;
      this.end = end;
      this.wanted = wanted;
      this.consumer = consumer;
      this.maxLabelValueLength = maxLabelValueLength;
    }

    void parse() throws PromParseException {
      int p = 0;
      if (end >= 3 && buf[0] == (byte) 0xEF && buf[1] == (byte) 0xBB && buf[2] == (byte) 0xBF) {
        p = 3;
      }
      while (p < end) {
        lineStart = p;
        p = skipBlanks(p);
        if (p < end && buf[p] != '\n') {
          if (buf[p] == '#') {
            int eol = lineEnd(p);
            if (isEof(p, eol)) {
              checkOnlyBlankAfterEof(eol);
              return;
            }
            p = eol;
          } else {
            p = sampleLine(p);
          }
        }
        // p is at '\n' or at end
        p++;
        line++;
      }
    }

    private int lineEnd(int p) {
      while (p < end && buf[p] != '\n') {
        p++;
      }
      return p;
    }

    private boolean isEof(int p, int eol) {
      int e = eol;
      while (e > p && isBlank(buf[e - 1])) {
        e--;
      }
      return e - p == 5
          && buf[p + 1] == ' '
          && buf[p + 2] == 'E'
          && buf[p + 3] == 'O'
          && buf[p + 4] == 'F';
    }

    private void checkOnlyBlankAfterEof(int p) throws PromParseException {
      for (; p < end; p++) {
        byte b = buf[p];
        if (b == '\n') {
          line++;
          lineStart = p + 1;
        } else if (!isBlank(b)) {
          throw error("content after # EOF", p);
        }
      }
    }

    /**
     * Parses one sample line starting at its first non-blank byte; returns the position of its '\n'
     * or end.
     */
    private int sampleLine(int p) throws PromParseException {
      final byte[] b = buf;
      int nameStart = p;
      int c = b[p] & 0xFF;
      if (!NAME_START[c]) {
        throw error(
            c == '<'
                ? "expected a metric name, found markup (an HTML page, not metrics?)"
                : "expected a metric name or '#'",
            p);
      }
      int h = b[p];
      p++;
      while (p < end && NAME_CHAR[b[p] & 0xFF]) {
        h = 31 * h + b[p];
        p++;
      }
      String name = wanted.find(b, nameStart, p, h);
      p = skipBlanks(p);

      int labels = 0;
      boolean tooLong = false;
      if (p < end && b[p] == '{') {
        p++;
        while (true) {
          p = skipBlanks(p);
          if (p >= end || b[p] == '\n') {
            throw error("unterminated label set", p);
          }
          if (b[p] == '}') {
            p++;
            break;
          }
          int ls = p;
          if (!LABEL_START[b[p] & 0xFF]) {
            throw error("expected a label name or '}'", p);
          }
          p++;
          while (p < end && LABEL_CHAR[b[p] & 0xFF]) {
            p++;
          }
          int le = p;
          p = skipBlanks(p);
          if (p >= end || b[p] != '=') {
            throw error("expected '=' after label name", p);
          }
          p = skipBlanks(p + 1);
          if (p >= end || b[p] != '"') {
            throw error("expected '\"' to open label value", p);
          }
          int vs = ++p;
          while (true) {
            if (p >= end || b[p] == '\n') {
              throw error("unterminated label value", p);
            }
            byte x = b[p];
            if (x == '"') {
              break;
            }
            if (x == '\\') {
              if (p + 1 >= end || (b[p + 1] != '\\' && b[p + 1] != '"' && b[p + 1] != 'n')) {
                throw error(
                    "invalid escape in label value (only \\\\, \\\" and \\n are allowed)", p);
              }
              p += 2;
            } else {
              p++;
            }
          }
          int ve = p++;
          if (name != null) {
            if (ve - vs > maxLabelValueLength) {
              tooLong = true;
            } else {
              addSpan(labels++, ls, le, vs, ve);
            }
          }
          p = skipBlanks(p);
          if (p < end && b[p] == ',') {
            p++;
          } else if (p < end && b[p] == '}') {
            p++;
            break;
          } else {
            throw error("expected ',' or '}' after label value", p);
          }
        }
        p = skipBlanks(p);
      }

      int vs = p;
      p = tokenEnd(p);
      int ve = p;
      if (vs == ve) {
        throw error("missing value", p);
      }
      if (!isFloat(b, vs, ve)) {
        throw error("invalid value", vs);
      }
      p = skipBlanks(p);
      if (p < end && b[p] != '\n' && b[p] != '#') {
        int ts = p;
        p = tokenEnd(p);
        if (!isFloat(b, ts, p)) {
          throw error("invalid timestamp", ts);
        }
        p = skipBlanks(p);
      }
      if (p < end && b[p] != '\n') {
        if (b[p] != '#') {
          throw error("unexpected text after value", p);
        }
        p = lineEnd(p); // OpenMetrics exemplar: ignored
      }

      if (name != null) {
        if (tooLong) {
          consumer.skipped(name, LABEL_TOO_LONG);
        } else {
          consumer.sample(name, labelMap(labels), parseFloat(b, vs, ve));
        }
      }
      return p;
    }

    private int skipBlanks(int p) {
      while (p < end && isBlank(buf[p])) {
        p++;
      }
      return p;
    }

    private int tokenEnd(int p) {
      while (p < end && buf[p] != '\n' && !isBlank(buf[p])) {
        p++;
      }
      return p;
    }

    private void addSpan(int i, int ls, int le, int vs, int ve) {
      int k = i * 4;
      if (k + 4 > spans.length) {
        spans = java.util.Arrays.copyOf(spans, spans.length * 2);
      }
      spans[k] = ls;
      spans[k + 1] = le;
      spans[k + 2] = vs;
      spans[k + 3] = ve;
    }

    private Map<String, String> labelMap(int labels) throws PromParseException {
      if (labels == 0) {
        return Map.of();
      }
      Map<String, String> map = new LinkedHashMap<>(labels * 2);
      for (int i = 0; i < labels; i++) {
        int k = i * 4;
        String key =
            new String(buf, spans[k], spans[k + 1] - spans[k], StandardCharsets.ISO_8859_1);
        if (map.put(key, labelValue(spans[k + 2], spans[k + 3])) != null) {
          throw error("duplicate label name " + key, spans[k]);
        }
      }
      return Collections.unmodifiableMap(map);
    }

    private String labelValue(int vs, int ve) {
      int i = vs;
      while (i < ve && buf[i] != '\\') {
        i++;
      }
      if (i == ve) {
        return new String(buf, vs, ve - vs, StandardCharsets.UTF_8);
      }
      if (scratch == null || scratch.length < ve - vs) {
        scratch = new byte[Math.max(64, ve - vs)];
      }
      int n = i - vs;
      System.arraycopy(buf, vs, scratch, 0, n);
      while (i < ve) {
        byte x = buf[i++];
        if (x == '\\') {
          byte e = buf[i++];
          x = e == 'n' ? (byte) '\n' : e;
        }
        scratch[n++] = x;
      }
      return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    private PromParseException error(String reason, int pos) {
      int eol = Math.min(lineEnd(lineStart), lineStart + MAX_QUOTED);
      StringBuilder sb = new StringBuilder(reason.length() + MAX_QUOTED + 24);
      sb.append(reason).append(" at column ").append(pos - lineStart + 1).append(": \"");
      for (int i = lineStart; i < eol; i++) {
        int c = buf[i] & 0xFF;
        sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
      }
      sb.append(eol < lineEnd(lineStart) ? "...\"" : "\"");
      return new PromParseException(sb.toString(), line);
    }
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t' || b == '\r';
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /**
   * Float grammar: [+-] (digits [. digits] | . digits) [(e|E) [+-] digits] | [+-] (NaN | Inf |
   * Infinity).
   */
  static boolean isFloat(byte[] b, int s, int e) {
    int i = s;
    if (i < e && (b[i] == '+' || b[i] == '-')) {
      i++;
    }
    if (i == e) {
      return false;
    }
    byte c = b[i];
    if (!isDigit(c) && c != '.') {
      return matchesIgnoreCase(b, i, e, "nan")
          || matchesIgnoreCase(b, i, e, "inf")
          || matchesIgnoreCase(b, i, e, "infinity");
    }
    int digits = 0;
    while (i < e && isDigit(b[i])) {
      i++;
      digits++;
    }
    if (i < e && b[i] == '.') {
      i++;
      while (i < e && isDigit(b[i])) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < e && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < e && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int expDigits = 0;
      while (i < e && isDigit(b[i])) {
        i++;
        expDigits++;
      }
      if (expDigits == 0) {
        return false;
      }
    }
    return i == e;
  }

  private static boolean matchesIgnoreCase(byte[] b, int s, int e, String lower) {
    if (e - s != lower.length()) {
      return false;
    }
    for (int i = 0; i < lower.length(); i++) {
      if ((b[s + i] | 0x20) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a token already accepted by {@link #isFloat}. Exact (correctly rounded) fast path for up
   * to 15 significant digits and a decimal exponent within +-22 (Clinger); anything else goes to
   * Double.parseDouble.
   */
  static double parseFloat(byte[] b, int s, int e) {
    int i = s;
    boolean neg = false;
    if (b[i] == '+' || b[i] == '-') {
      neg = b[i] == '-';
      i++;
    }
    byte c = b[i];
    if (!isDigit(c) && c != '.') {
      if ((c | 0x20) == 'n') {
        return Double.NaN;
      }
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    long mantissa = 0;
    int significant = 0;
    int scale = 0;
    while (i < e && isDigit(b[i])) {
      int d = b[i++] - '0';
      if (significant > 0 || d != 0) {
        mantissa = mantissa * 10 + d;
        significant++;
      }
      if (significant > 15) {
        return slow(b, s, e);
      }
    }
    if (i < e && b[i] == '.') {
      i++;
      while (i < e && isDigit(b[i])) {
        int d = b[i++] - '0';
        scale--;
        if (significant > 0 || d != 0) {
          mantissa = mantissa * 10 + d;
          significant++;
        }
        if (significant > 15) {
          return slow(b, s, e);
        }
      }
    }
    if (i < e) { // exponent
      i++;
      boolean expNeg = false;
      if (b[i] == '+' || b[i] == '-') {
        expNeg = b[i] == '-';
        i++;
      }
      int exp = 0;
      while (i < e) {
        exp = exp * 10 + (b[i++] - '0');
        if (exp > 1000) {
          return slow(b, s, e);
        }
      }
      scale += expNeg ? -exp : exp;
    }
    if (mantissa == 0) {
      return neg ? -0.0 : 0.0;
    }
    double v;
    if (scale >= 0 && scale <= 22) {
      v = mantissa * POW10[scale];
    } else if (scale < 0 && scale >= -22) {
      v = mantissa / POW10[-scale];
    } else {
      return slow(b, s, e);
    }
    return neg ? -v : v;
  }

  private static double slow(byte[] b, int s, int e) {
    return Double.parseDouble(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
  }
}
