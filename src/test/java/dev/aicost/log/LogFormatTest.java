package dev.aicost.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lines written through slf4j (the real binding) parse back to the values logged, in logfmt and
 * JSON, whatever the values hold: quotes, spaces, '=', backslashes, newlines, control characters.
 */
class LogFormatTest {
  private static final Logger log = LoggerFactory.getLogger("dev.aicost.collect.Orchestrator");

  @Test
  void quotesInsideAQuotedValueRoundTrip() {
    // the line that used to read first="...name "x""
    Map<String, String> f =
        logfmt(
            () ->
                log.warn(
                    "event=reload_rejected problems={} first=\"{}\"",
                    2,
                    "pricing.models[0]: name \"x\" unknown"));
    assertEquals("reload_rejected", f.get("event"));
    assertEquals("2", f.get("problems"));
    assertEquals("pricing.models[0]: name \"x\" unknown", f.get("first"));
    assertEquals("warn", f.get("level"));
    assertEquals("Orchestrator", f.get("logger"));
  }

  @Test
  void literalsThirdPartyMessagesAndExceptions() throws Exception {
    Map<String, String> f =
        logfmt(
            () ->
                log.error(
                    "event=ledger_commit_failed error=\"{}\" effect=\"usage kept upstream, retried next run\"",
                    "disk full"));
    assertEquals("usage kept upstream, retried next run", f.get("effect"));
    assertEquals("disk full", f.get("error"));
    Map<String, String> jetty =
        logfmt(
            () ->
                LoggerFactory.getLogger("org.eclipse.jetty.server.Server")
                    .error("Started {} in {}ms", "server", 5));
    assertEquals("Started server in 5ms", jetty.get("msg"));
    Map<String, String> ex =
        logfmt(
            () ->
                log.error(
                    "event=collect_internal_error error=\"{}\"",
                    "boom",
                    new IllegalStateException("bad\nthing")));
    assertEquals("java.lang.IllegalStateException: bad\nthing", ex.get("exception"));
    assertTrue(ex.get("stack").contains("\tat "), ex.get("stack"));
    assertTrue(
        captured(() -> LoggerFactory.getLogger("io.javalin.Javalin").info("noise")).isEmpty(),
        "Javalin info is not ours");
  }

  @Property(tries = 300)
  void anyValueRoundTripsInLogfmt(
      @ForAll @StringLength(max = 40) String a, @ForAll @StringLength(max = 40) String b) {
    Map<String, String> f =
        logfmt(() -> log.warn("event=collect_failed collector={} error=\"{}\"", a, b));
    assertEquals("collect_failed", f.get("event"));
    assertEquals(a, f.get("collector"));
    assertEquals(b, f.get("error"));
  }

  @Property(tries = 300)
  void anyValueRoundTripsInJson(
      @ForAll @StringLength(max = 40) String a, @ForAll @StringLength(max = 40) String b)
      throws Exception {
    Logging.configure("info", LogFormat.JSON);
    try {
      String line =
          captured(() -> log.warn("event=collect_failed collector={} error=\"{}\"", a, b));
      assertEquals(1, line.split("\n").length, line);
      JsonNode n = new ObjectMapper().readTree(line);
      assertEquals("collect_failed", n.get("event").asText());
      assertEquals(a, n.get("collector").asText());
      assertEquals(b, n.get("error").asText());
    } finally {
      Logging.configure("info", LogFormat.LOGFMT);
    }
  }

  private static Map<String, String> logfmt(Runnable logging) {
    String line = captured(logging);
    assertEquals(1, line.split("\n", -1).length, "one line per event: " + line);
    return parseLogfmt(line);
  }

  private static String captured(Runnable logging) {
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      logging.run();
    } finally {
      System.setErr(err);
    }
    String s = buf.toString(StandardCharsets.UTF_8);
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * A logfmt reader as go-logfmt reads: bare values end at a space; quoted ones unescape \" \\ \n
   * \r \t \\uXXXX.
   */
  static Map<String, String> parseLogfmt(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0, n = line.length();
    while (i < n) {
      while (i < n && line.charAt(i) == ' ') i++;
      int eq = line.indexOf('=', i);
      String key = line.substring(i, eq);
      i = eq + 1;
      StringBuilder v = new StringBuilder();
      if (i < n && line.charAt(i) == '"') {
        i++;
        while (line.charAt(i) != '"') {
          char c = line.charAt(i++);
          if (c != '\\') {
            v.append(c);
            continue;
          }
          char e = line.charAt(i++);
          switch (e) {
            case 'n' -> v.append('\n');
            case 'r' -> v.append('\r');
            case 't' -> v.append('\t');
            case 'u' -> {
              v.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
              i += 4;
            }
            default -> v.append(e);
          }
        }
        i++;
      } else {
        while (i < n && line.charAt(i) != ' ') v.append(line.charAt(i++));
      }
      out.put(key, v.toString());
    }
    return out;
  }
}
