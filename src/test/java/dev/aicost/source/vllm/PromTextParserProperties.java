package dev.aicost.source.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Round trip of random rendered pages, and "parses or throws PromParseException" on arbitrary
 * bytes.
 */
class PromTextParserProperties {

  private static final String SYNTAX = "\"\\{}=,\n #\r\t";

  record Series(String name, Map<String, String> labels, double value, long style) {}

  record Expected(List<String> events) {}

  // ---- generators

  @Provide
  Arbitrary<List<Series>> pages() {
    Arbitrary<String> metricNames =
        Combinators.combine(
                Arbitraries.strings()
                    .withCharRange('a', 'z')
                    .withCharRange('A', 'Z')
                    .withChars('_', ':')
                    .ofLength(1),
                Arbitraries.strings()
                    .withCharRange('a', 'z')
                    .withCharRange('0', '9')
                    .withChars('_', ':')
                    .ofMaxLength(24))
            .as(String::concat);
    // a small pool so that wanted and unwanted names (and _total/_total_bucket look-alikes)
    // interleave
    Arbitrary<String> names =
        Arbitraries.oneOf(
            metricNames,
            Arbitraries.of(
                "vllm:iteration_tokens_total",
                "vllm:iteration_tokens_total_bucket",
                "vllm:prompt_tokens_total",
                "vllm:prompt_tokens_created",
                "a",
                "A:_"));
    Arbitrary<String> labelNames =
        Combinators.combine(
                Arbitraries.strings()
                    .withCharRange('a', 'z')
                    .withCharRange('A', 'Z')
                    .withChars('_')
                    .ofLength(1),
                Arbitraries.strings()
                    .withCharRange('a', 'z')
                    .withCharRange('0', '9')
                    .withChars('_')
                    .ofMaxLength(10))
            .as(String::concat);
    Arbitrary<String> pieces =
        Arbitraries.oneOf(
            Arbitraries.strings().ascii().ofMaxLength(6),
            Arbitraries.of(
                "\"",
                "\\",
                "\n",
                "\\n",
                ",",
                "}",
                "{",
                "=",
                " ",
                "\t",
                "\r",
                "é",
                "日本",
                "😀",
                "#",
                "le=\"+Inf\""));
    Arbitrary<String> labelValues = pieces.list().ofMaxSize(5).map(l -> String.join("", l));
    Arbitrary<Map<String, String>> labelSets =
        labelNames
            .list()
            .uniqueElements()
            .ofMaxSize(5)
            .flatMap(
                keys ->
                    labelValues
                        .list()
                        .ofSize(keys.size())
                        .map(
                            values -> {
                              Map<String, String> m = new LinkedHashMap<>();
                              for (int i = 0; i < keys.size(); i++) {
                                m.put(keys.get(i), values.get(i));
                              }
                              return m;
                            }));
    Arbitrary<Double> values =
        Arbitraries.oneOf(
            Arbitraries.doubles(),
            Arbitraries.longs().map(Long::doubleValue),
            Arbitraries.integers().between(0, 10_000_000).map(Integer::doubleValue),
            Arbitraries.of(
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                0.0,
                -0.0,
                Double.MIN_VALUE,
                Double.MAX_VALUE,
                1.7537953269352946e9,
                9.75010481363281e-06,
                439.71999999999997));
    return Combinators.combine(names, labelSets, values, Arbitraries.longs())
        .as(Series::new)
        .list()
        .ofMaxSize(40);
  }

  // ---- rendering, in the spellings real writers use

  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String renderValue(double v, Random r) {
    if (Double.isNaN(v)) {
      return pick(r, "NaN", "nan", "+NaN", "-NaN");
    }
    if (Double.isInfinite(v)) {
      return v > 0
          ? pick(r, "+Inf", "Inf", "inf", "+Infinity", "Infinity")
          : pick(r, "-Inf", "-inf", "-Infinity");
    }
    switch (r.nextInt(5)) {
      case 0:
        return pythonRepr(v);
      case 1:
        return String.format(Locale.ROOT, "%.17g", v);
      case 2:
        return v == 0 || v != Math.rint(v) || Math.abs(v) > 1e18
            ? Double.toString(v)
            : Long.toString((long) v);
      case 3:
        return v == 0 ? Double.toString(v) : new BigDecimal(v).toPlainString();
      default:
        return Double.toString(v).toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Like Python prometheus_client's floatToGoString for finite values (Java's shortest repr stands
   * in for repr).
   */
  static String pythonRepr(double d) {
    String s = Double.toString(d);
    if (s.contains("E")) {
      String[] p = s.split("E");
      int exp = Integer.parseInt(p[1]);
      return p[0] + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
    }
    int dot = s.indexOf('.');
    if (d > 0 && dot > 6) {
      String mantissa =
          (s.charAt(0) + "." + s.substring(1, dot) + s.substring(dot + 1)).replaceAll("[0.]+$", "");
      return mantissa + "e+0" + (dot - 1);
    }
    return s;
  }

  static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }

  static String blanks(Random r) {
    return r.nextInt(4) == 0 ? pick(r, " ", "\t", "  ") : "";
  }

  static String render(List<Series> page, boolean openMetrics) {
    StringBuilder sb = new StringBuilder();
    for (Series s : page) {
      Random r = new Random(s.style());
      String eol = r.nextInt(5) == 0 ? "\r\n" : "\n";
      if (r.nextInt(6) == 0) {
        sb.append(
                pick(
                    r,
                    "# HELP " + s.name() + " help with \\\\ and \"quotes\"",
                    "# TYPE " + s.name() + " counter",
                    "#",
                    "# some comment {a=\"b\"} 1",
                    ""))
            .append(eol);
      }
      sb.append(blanks(r)).append(s.name());
      if (!s.labels().isEmpty() || r.nextBoolean()) {
        sb.append(blanks(r)).append('{').append(blanks(r));
        int i = 0;
        for (Map.Entry<String, String> e : s.labels().entrySet()) {
          if (i++ > 0) {
            sb.append(blanks(r)).append(',').append(blanks(r));
          }
          sb.append(e.getKey())
              .append(blanks(r))
              .append('=')
              .append(blanks(r))
              .append('"')
              .append(escape(e.getValue()))
              .append('"');
        }
        if (i > 0 && r.nextInt(4) == 0) {
          sb.append(',');
        }
        sb.append(blanks(r)).append('}');
      }
      sb.append(' ').append(blanks(r)).append(renderValue(s.value(), r));
      if (r.nextInt(4) == 0) {
        sb.append(' ')
            .append(r.nextBoolean() ? Long.toString(r.nextLong() >> 20) : "1.7537953269352946e+09");
      }
      if (openMetrics && r.nextInt(8) == 0) {
        sb.append(" # {trace_id=\"0af7\"} 1.0");
      }
      sb.append(blanks(r)).append(eol);
    }
    if (openMetrics) {
      sb.append("# EOF\n");
    }
    return sb.toString();
  }

  static List<String> expected(List<Series> page, Set<String> wanted, int cap) {
    List<String> events = new ArrayList<>();
    for (Series s : page) {
      if (!wanted.contains(s.name())) {
        continue;
      }
      boolean tooLong =
          s.labels().values().stream()
              .anyMatch(v -> escape(v).getBytes(StandardCharsets.UTF_8).length > cap);
      events.add(tooLong ? "skipped " + s.name() : event(s.name(), s.labels(), s.value()));
    }
    return events;
  }

  static String event(String name, Map<String, String> labels, double value) {
    // Double.toString keeps NaN, -0.0 and the exact bits apart
    return name
        + " "
        + new ArrayList<>(labels.entrySet())
        + " "
        + Double.toString(value)
        + " "
        + Long.toHexString(Double.doubleToRawLongBits(value == value ? value : Double.NaN));
  }

  static List<String> parse(PromTextParser parser, byte[] bytes, Set<String> wanted)
      throws PromParseException {
    List<String> events = new ArrayList<>();
    parser.parse(
        bytes,
        bytes.length,
        wanted,
        new SampleConsumer() {
          @Override
          public void sample(String name, Map<String, String> labels, double value) {
            events.add(event(name, labels, value));
          }

          @Override
          public void skipped(String name, String reason) {
            events.add("skipped " + name);
          }
        });
    return events;
  }

  // ---- properties

  @Property(tries = 500)
  void renderedPagesRoundTrip(
      @ForAll("pages") List<Series> page,
      @ForAll boolean openMetrics,
      @ForAll @IntRange(min = 0, max = 40) int cap,
      @ForAll long wantedSeed)
      throws PromParseException {
    Random r = new Random(wantedSeed);
    Set<String> wanted = new HashSet<>();
    for (Series s : page) {
      if (r.nextInt(3) > 0) {
        wanted.add(s.name());
      }
    }
    wanted.add("not_on_the_page");
    byte[] bytes = render(page, openMetrics).getBytes(StandardCharsets.UTF_8);
    assertEquals(expected(page, wanted, cap), parse(new PromTextParser(cap), bytes, wanted));
  }

  @Property(tries = 1000)
  void arbitraryBytesParseOrThrowPromParseException(@ForAll @Size(max = 400) byte[] bytes) {
    parsesOrThrows(bytes, Set.of("a", "m", "vllm:prompt_tokens_total"));
  }

  @Property(tries = 1000)
  void mutatedPagesParseOrThrowPromParseException(
      @ForAll("pages") List<Series> page, @ForAll long seed) {
    byte[] bytes = render(page, false).getBytes(StandardCharsets.UTF_8);
    Random r = new Random(seed);
    int mutations = 1 + r.nextInt(4);
    for (int i = 0; i < mutations && bytes.length > 0; i++) {
      int at = r.nextInt(bytes.length);
      switch (r.nextInt(3)) {
        case 0 -> bytes[at] = (byte) r.nextInt(256);
        case 1 -> bytes[at] = (byte) SYNTAX.charAt(r.nextInt(SYNTAX.length()));
        default -> bytes = java.util.Arrays.copyOf(bytes, at);
      }
    }
    Set<String> wanted = new HashSet<>();
    page.forEach(s -> wanted.add(s.name()));
    parsesOrThrows(bytes, wanted);
  }

  private static void parsesOrThrows(byte[] bytes, Set<String> wanted) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          try {
            parse(new PromTextParser(8), bytes, wanted);
          } catch (PromParseException expected) {
            // the only acceptable failure
          }
        });
  }
}
