package dev.aicost.http;

import java.math.BigDecimal;
import java.math.MathContext;

/** RFC 4180 cells for the CSV answers, safe to open in a spreadsheet. */
final class Csv {
  private Csv() {}

  static String cell(Object v) {
    if (v == null) return "";
    if (v instanceof Double d) return Double.isNaN(d) ? "" : number(d);
    String s = v.toString();
    // label values come from upstreams: a leading = + - @ would run as a spreadsheet formula
    if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) s = "'" + s;
    if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0)
      return '"' + s.replace("\"", "\"\"") + '"';
    return s;
  }

  private static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
    return new BigDecimal(d).round(new MathContext(12)).stripTrailingZeros().toPlainString();
  }
}
