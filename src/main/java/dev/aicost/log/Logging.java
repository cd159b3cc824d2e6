package dev.aicost.log;

import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.event.Level;

/**
 * Where and how log lines go: level, format and stream are read at every call, so loggers made
 * before {@link #configure} (static fields) follow it. Lines go to stderr, one per event.
 */
public final class Logging {
  private Logging() {}

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
  private static volatile Level level = Level.INFO;
  private static volatile LogFormat format = LogFormat.LOGFMT;

  public static void configure(String levelName, LogFormat f) {
    level = Level.valueOf(levelName.toUpperCase(java.util.Locale.ROOT));
    format = f;
  }

  /** Jetty and Javalin speak at warn and above only: their info lines are not events of ours. */
  static boolean enabled(String logger, Level l) {
    int min = level.toInt();
    if (logger.startsWith("org.eclipse.jetty") || logger.startsWith("io.javalin"))
      min = Math.max(min, Level.WARN.toInt());
    return l.toInt() >= min;
  }

  static void write(String logger, Level l, String template, Object[] args, Throwable t) {
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    fields.add(Map.entry("ts", TS.format(java.time.Instant.now())));
    fields.add(Map.entry("level", l.name().toLowerCase(java.util.Locale.ROOT)));
    fields.add(Map.entry("logger", logger.substring(logger.lastIndexOf('.') + 1)));
    fields.addAll(EventLine.fields(template, args));
    if (t != null) {
      fields.add(Map.entry("exception", t.toString()));
      java.io.StringWriter sw = new java.io.StringWriter();
      t.printStackTrace(new java.io.PrintWriter(sw));
      fields.add(Map.entry("stack", sw.toString()));
    }
    StringBuilder sb = new StringBuilder(160);
    if (format == LogFormat.JSON) EventLine.json(sb, fields);
    else EventLine.logfmt(sb, fields);
    PrintStream err = System.err;
    synchronized (err) {
      err.println(sb);
    }
  }
}
