package dev.aicost.source.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromTextParserTest {

  record Sample(String name, Map<String, String> labels, double value) {}

  static final class Recorder implements SampleConsumer {
    final List<Sample> samples = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();

    @Override
    public void sample(String name, Map<String, String> labels, double value) {
      samples.add(new Sample(name, labels, value));
    }

    @Override
    public void skipped(String name, String reason) {
      skipped.add(name + ":" + reason);
    }

    double sum(String name) {
      return samples.stream().filter(s -> s.name.equals(name)).mapToDouble(Sample::value).sum();
    }

    double sum(String name, String label, String value) {
      return samples.stream()
          .filter(s -> s.name.equals(name) && value.equals(s.labels.get(label)))
          .mapToDouble(Sample::value)
          .sum();
    }

    long count(String name) {
      return samples.stream().filter(s -> s.name.equals(name)).count();
    }
  }

  static final Set<String> COST =
      Set.of(
          "vllm:prompt_tokens_total",
          "vllm:generation_tokens_total",
          "vllm:request_success_total",
          "vllm:prefix_cache_queries_total",
          "vllm:prefix_cache_hits_total",
          "vllm:gpu_prefix_cache_queries_total",
          "vllm:gpu_prefix_cache_hits_total",
          "vllm:prompt_tokens_created",
          "vllm:generation_tokens_created",
          "vllm:gpu_prefix_cache_hit_rate",
          "vllm:prompt_tokens_cached_total",
          "process_start_time_seconds");

  private final PromTextParser parser = new PromTextParser(1024);

  private Recorder parse(String page, String... wanted) throws PromParseException {
    return parse(parser, page, Set.of(wanted));
  }

  private static Recorder parse(PromTextParser parser, String page, Set<String> wanted)
      throws PromParseException {
    Recorder r = new Recorder();
    byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
    parser.parse(bytes, bytes.length, wanted, r);
    return r;
  }

  private static Recorder parseFixture(String file, Set<String> wanted) throws Exception {
    byte[] bytes;
    try (InputStream in = PromTextParserTest.class.getResourceAsStream("/vllm/" + file)) {
      bytes = in.readAllBytes();
    }
    Recorder r = new Recorder();
    new PromTextParser(1024).parse(bytes, bytes.length, wanted, r);
    return r;
  }

  private PromParseException rejects(String page, String... wanted) {
    return assertThrows(PromParseException.class, () -> parse(page, wanted));
  }

  // ---- fixtures: the documented sums in each file's "# fixture:" header

  @Test
  void v0Page() throws Exception {
    Recorder r = parseFixture("v0.txt", COST);
    assertEquals(1_200_000, r.sum("vllm:prompt_tokens_total"));
    assertEquals(450_000, r.sum("vllm:generation_tokens_total"));
    assertEquals(1000, r.sum("vllm:request_success_total"));
    assertEquals(900, r.sum("vllm:request_success_total", "finished_reason", "stop"));
    assertEquals(0.25, r.sum("vllm:gpu_prefix_cache_hit_rate"));
    assertEquals(0, r.count("vllm:prompt_tokens_created"));
    assertEquals(List.of("model_name"), List.copyOf(r.samples.get(1).labels().keySet()));
    assertEquals(1.75379530137e9, r.sum("process_start_time_seconds"));
  }

  @Test
  void v0HistogramSumsLagTheCounters() throws Exception {
    Recorder r =
        parseFixture(
            "v0.txt",
            Set.of("vllm:request_prompt_tokens_sum", "vllm:spec_decode_draft_acceptance_rate"));
    assertEquals(1_180_000, r.sum("vllm:request_prompt_tokens_sum"));
    assertTrue(Double.isNaN(r.sum("vllm:spec_decode_draft_acceptance_rate")));
  }

  @Test
  void v1WithoutEngineLabel() throws Exception {
    Recorder r = parseFixture("v1-0.8-no-engine.txt", COST);
    assertEquals(300_000, r.sum("vllm:prompt_tokens_total"));
    assertEquals(120_000, r.sum("vllm:generation_tokens_total"));
    assertEquals(550, r.sum("vllm:request_success_total"));
    assertEquals(18_000, r.sum("vllm:gpu_prefix_cache_queries_total"));
    assertEquals(4_500, r.sum("vllm:gpu_prefix_cache_hits_total"));
    assertEquals(0, r.count("vllm:prefix_cache_queries_total"));
    assertEquals(1, r.count("vllm:prompt_tokens_created"));
    Sample prompt =
        r.samples.stream()
            .filter(s -> s.name.equals("vllm:prompt_tokens_total"))
            .findFirst()
            .orElseThrow();
    assertEquals(Map.of("model_name", "mistralai/Mistral-7B-Instruct-v0.3"), prompt.labels());
  }

  @Test
  void v1TwoEngines() throws Exception {
    Recorder r = parseFixture("v1-two-engines.txt", COST);
    assertEquals(3_000_000, r.sum("vllm:prompt_tokens_total"));
    assertEquals(2_000_000, r.sum("vllm:prompt_tokens_total", "engine", "0"));
    assertEquals(1_000_000, r.sum("vllm:prompt_tokens_total", "engine", "1"));
    assertEquals(750_000, r.sum("vllm:generation_tokens_total"));
    assertEquals(3150, r.sum("vllm:request_success_total"));
    assertEquals(3_000_000, r.sum("vllm:prefix_cache_queries_total"));
    assertEquals(1_200_000, r.sum("vllm:prefix_cache_hits_total"));
    assertEquals(1_200_000, r.sum("vllm:prompt_tokens_cached_total"));
    assertEquals(0, r.count("vllm:gpu_prefix_cache_queries_total"));
    assertEquals(2, r.count("vllm:prompt_tokens_created"));
    Sample first =
        r.samples.stream()
            .filter(s -> s.name.equals("vllm:prompt_tokens_total"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        List.of("engine", "model_name"), List.copyOf(first.labels().keySet()), "page order");
  }

  @Test
  void v1TwoEnginesLoraLabelWithCommas() throws Exception {
    Recorder r = parseFixture("v1-two-engines.txt", Set.of("vllm:lora_requests_info"));
    assertEquals("sql-lora,chat-lora", r.samples.get(0).labels().get("running_lora_adapters"));
    assertEquals("", r.samples.get(0).labels().get("waiting_lora_adapters"));
  }

  @Test
  void v1BothPrefixCacheNames() throws Exception {
    Recorder r = parseFixture("v1-0.10-both-prefix-names.txt", COST);
    assertEquals(400_000, r.sum("vllm:prompt_tokens_total"));
    assertEquals(100_000, r.sum("vllm:generation_tokens_total"));
    assertEquals(1000, r.sum("vllm:request_success_total"));
    assertEquals(400_000, r.sum("vllm:prefix_cache_queries_total"));
    assertEquals(150_000, r.sum("vllm:prefix_cache_hits_total"));
    assertEquals(400_000, r.sum("vllm:gpu_prefix_cache_queries_total"));
    assertEquals(150_000, r.sum("vllm:gpu_prefix_cache_hits_total"));
  }

  @Test
  void openMetricsPage() throws Exception {
    Recorder r = parseFixture("v1-openmetrics.txt", COST);
    assertEquals(50_000, r.sum("vllm:prompt_tokens_total"));
    assertEquals(20_000, r.sum("vllm:generation_tokens_total"));
    assertEquals(100, r.sum("vllm:request_success_total"));
    assertEquals(50_000, r.sum("vllm:prefix_cache_queries_total"));
    assertEquals(10_000, r.sum("vllm:prefix_cache_hits_total"));
    assertEquals(10_000, r.sum("vllm:prompt_tokens_cached_total"));
    assertEquals(1, r.count("vllm:prompt_tokens_created"));
  }

  @Test
  void iterationTokensHistogramIsNotTheCounterOfThatName() throws Exception {
    Recorder r = parseFixture("v1-two-engines.txt", Set.of("vllm:iteration_tokens_total"));
    assertEquals(0, r.count("vllm:iteration_tokens_total"));
    r = parseFixture("v1-two-engines.txt", Set.of("vllm:iteration_tokens_total_sum"));
    assertEquals(2, r.count("vllm:iteration_tokens_total_sum"));
    r =
        parse(
            "vllm:iteration_tokens_total_bucket{le=\"1.0\"} 3\nvllm:iteration_tokens_total 7\n",
            "vllm:iteration_tokens_total");
    assertEquals(List.of(new Sample("vllm:iteration_tokens_total", Map.of(), 7)), r.samples);
  }

  @Test
  void noWantedNamesStillValidatesEveryFixture() throws Exception {
    for (String f :
        List.of(
            "v0.txt",
            "v1-0.8-no-engine.txt",
            "v1-two-engines.txt",
            "v1-0.10-both-prefix-names.txt",
            "v1-openmetrics.txt")) {
      assertEquals(0, parseFixture(f, Set.of()).samples.size(), f);
    }
  }

  // ---- syntax

  @Test
  void namesWithColonsAndEmptyLabelSets() throws Exception {
    Recorder r = parse("a:b:c 1\na:b:c{} 2\na:b:c { } 3\n", "a:b:c");
    assertEquals(
        List.of(
            new Sample("a:b:c", Map.of(), 1),
            new Sample("a:b:c", Map.of(), 2),
            new Sample("a:b:c", Map.of(), 3)),
        r.samples);
  }

  @Test
  void escapesAndSpecialCharactersInLabelValues() throws Exception {
    Recorder r =
        parse(
            "m{a=\"q\\\"uote\",b=\"back\\\\slash\",c=\"new\\nline\",d=\"x,y\",e=\"}\",f=\"k=v\",g=\"日本\"} 1\n",
            "m");
    Map<String, String> l = r.samples.get(0).labels();
    assertEquals("q\"uote", l.get("a"));
    assertEquals("back\\slash", l.get("b"));
    assertEquals("new\nline", l.get("c"));
    assertEquals("x,y", l.get("d"));
    assertEquals("}", l.get("e"));
    assertEquals("k=v", l.get("f"));
    assertEquals("日本", l.get("g"));
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g"), List.copyOf(l.keySet()));
  }

  @Test
  void trailingCommaAndBlanksInLabelSet() throws Exception {
    Recorder r = parse("m{a=\"1\",} 1\nm{ a = \"2\" , b=\"3\", } 2\n", "m");
    assertEquals(Map.of("a", "1"), r.samples.get(0).labels());
    assertEquals(Map.of("a", "2", "b", "3"), r.samples.get(1).labels());
  }

  @Test
  void labelsMapIsImmutable() throws Exception {
    Map<String, String> l = parse("m{a=\"1\"} 1\n", "m").samples.get(0).labels();
    assertThrows(UnsupportedOperationException.class, () -> l.put("b", "2"));
  }

  @Test
  void values() throws Exception {
    Recorder r =
        parse(
            String.join(
                "\n",
                "m 1.7537953269352946e+09",
                "m 0.0",
                "m NaN",
                "m +Inf",
                "m -Inf",
                "m Inf",
                "m 42",
                "m -3.5",
                "m 1.2e+06",
                "m 5.3721939968e+010",
                "m 9.75010481363281e-06",
                "m 1E3",
                "m .5",
                "m -0",
                "m 439.71999999999997",
                "m 123456789012345678901234567890",
                "m 1e400",
                "m nan",
                "m -infinity"),
            "m");
    double[] expected = {
      1.7537953269352946e9,
      0.0,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      Double.POSITIVE_INFINITY,
      42,
      -3.5,
      1.2e6,
      5.3721939968e10,
      9.75010481363281e-06,
      1000,
      0.5,
      -0.0,
      439.71999999999997,
      123456789012345678901234567890.0,
      Double.POSITIVE_INFINITY,
      Double.NaN,
      Double.NEGATIVE_INFINITY
    };
    assertEquals(expected.length, r.samples.size());
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          Double.valueOf(expected[i]), Double.valueOf(r.samples.get(i).value()), "sample " + i);
    }
  }

  @Test
  void fastPathMatchesDoubleParseDouble() {
    String[] cases = {
      "0.1",
      "0.3",
      "123456789012345",
      "1234567890123456",
      "3.141592653589793",
      "1e22",
      "1e23",
      "1e-22",
      "1e-23",
      "999999999999999e22",
      "0.000000000000000000000001",
      "2.2250738585072014E-308",
      "4.9e-324",
      "1.7976931348623157e308",
      "00000000000000000001.5",
      "1.",
      "-.25e-2"
    };
    for (String c : cases) {
      byte[] b = c.getBytes(StandardCharsets.US_ASCII);
      assertTrue(PromTextParser.isFloat(b, 0, b.length), c);
      assertEquals(
          Double.valueOf(Double.parseDouble(c)),
          Double.valueOf(PromTextParser.parseFloat(b, 0, b.length)),
          c);
    }
  }

  @Test
  void timestampsAreIgnored() throws Exception {
    Recorder r = parse("m 1 1700000000000\nm{a=\"b\"} 2 -5\nm 3 1.7e9\n", "m");
    assertEquals(List.of(1.0, 2.0, 3.0), r.samples.stream().map(Sample::value).toList());
  }

  @Test
  void openMetricsExemplarIsIgnored() throws Exception {
    Recorder r = parse("m_total 4 # {trace_id=\"abc\"} 1.0 1700000000.5\n# EOF\n", "m_total");
    assertEquals(4.0, r.samples.get(0).value());
  }

  @Test
  void crlfBlankLinesAndNoFinalNewline() throws Exception {
    Recorder r =
        parse("\r\n# HELP m x\r\n# TYPE m gauge\r\nm{a=\"b\"} 1\r\n\r\n\n  \t\nm 2\r\nm 3", "m");
    assertEquals(List.of(1.0, 2.0, 3.0), r.samples.stream().map(Sample::value).toList());
    assertEquals(Map.of("a", "b"), r.samples.get(0).labels());
  }

  @Test
  void emptyPageAndCommentsOnly() throws Exception {
    assertEquals(0, parse("", "m").samples.size());
    assertEquals(
        0, parse("# HELP m \u0000\u00ff binary in help is not read\n#\n", "m").samples.size());
  }

  @Test
  void eofEndsThePage() throws Exception {
    assertEquals(1, parse("m 1\n# EOF\n", "m").samples.size());
    assertEquals(1, parse("m 1\n# EOF", "m").samples.size());
    assertEquals(1, parse("m 1\n# EOF\r\n\n", "m").samples.size());
    PromParseException e = rejects("m 1\n# EOF\nm 2\n", "m");
    assertEquals(3, e.lineNumber());
    assertTrue(e.getMessage().contains("after # EOF"), e.getMessage());
  }

  @Test
  void onlyWantedNamesAreReportedAndTheWantedStringInstanceIsPassed() throws Exception {
    String wanted = new String("vllm:prompt_tokens_total".toCharArray());
    Recorder r =
        parse(
            parser,
            "vllm:prompt_tokens_total 1\nvllm:prompt_tokens_total_x 2\nvllm:prompt_tokens_tota 3\n"
                + "vllm:prompt_tokens_created 4\n",
            Set.of(wanted));
    assertEquals(1, r.samples.size());
    assertTrue(r.samples.get(0).name() == wanted);
  }

  @Test
  void labelValueLongerThanTheCapSkipsTheSampleAndGoesOn() throws Exception {
    PromTextParser small = new PromTextParser(16);
    String huge = "x".repeat(100_000);
    Recorder r =
        parse(
            small,
            "m{model_name=\"ok\",config=\""
                + huge
                + "\"} 1\nm{model_name=\"ok\"} 2\n"
                + "other{config=\""
                + huge
                + "\"} 3\nm{a=\""
                + "y".repeat(16)
                + "\"} 4\n",
            Set.of("m"));
    assertEquals(List.of("m:label_too_long"), r.skipped);
    assertEquals(List.of(2.0, 4.0), r.samples.stream().map(Sample::value).toList());
  }

  // ---- garbage

  @Test
  void htmlErrorPageIsRejected() {
    PromParseException e =
        rejects("<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n", "m");
    assertEquals(1, e.lineNumber());
    assertTrue(e.getMessage().contains("HTML"), e.getMessage());
  }

  @Test
  void plainTextErrorBodyIsRejected() {
    assertEquals(1, rejects("Internal Server Error\n").lineNumber());
    assertEquals(
        1, rejects("upstream connect error or disconnect/reset before headers\n").lineNumber());
  }

  @Test
  void binaryJunkIsRejected() {
    byte[] junk = {
      0x1f, (byte) 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, (byte) 0xcb, 0x48
    };
    assertThrows(
        PromParseException.class,
        () -> parser.parse(junk, junk.length, Set.of("m"), new Recorder()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "m{a=\"b\" 1",
        "m{a=\"b\"",
        "m{a=\"b",
        "m{a=\"b\n\"} 1",
        "m{a=b} 1",
        "m{a} 1",
        "m{=\"b\"} 1",
        "m{1a=\"b\"} 1",
        "m{a=\"b\"c=\"d\"} 1",
        "m{a=\"\\x\"} 1",
        "m{a=\"b\\",
        "m",
        "m ",
        "m{}",
        "m{a=\"b\"} ",
        "m 1x",
        "m 0x10",
        "m 1 2 3",
        "m 1 ts",
        "m --1",
        "m 1e",
        "m .",
        "m Infinit",
        "m 1,5",
        "m{a=\"b\",a=\"c\"} 1",
        "-m 1",
        "{a=\"b\"} 1"
      })
  void malformedWantedLinesAreRejectedWithTheLineNumber(String line) {
    PromParseException e = rejects("# TYPE m gauge\nm 0\n" + line + "\nm 1\n", "m");
    assertEquals(3, e.lineNumber(), e.getMessage());
    assertTrue(e.getMessage().startsWith("line 3: "), e.getMessage());
  }

  @Test
  void malformedUnwantedLinesAreRejectedToo() {
    assertEquals(2, rejects("m 1\nother{a=\"b\" 1\n", "m").lineNumber());
    assertEquals(2, rejects("m 1\nother 1x\n", "m").lineNumber());
    assertEquals(1, rejects("other\n").lineNumber());
  }

  @Test
  void errorMessageQuotesAtMost80CharactersOfTheLine() {
    PromParseException e = rejects("m{a=\"" + "z".repeat(10_000) + "\n", "m");
    assertTrue(e.getMessage().length() < 200, e.getMessage());
    assertTrue(e.getMessage().contains("z".repeat(50) + "...\""), e.getMessage());
  }

  @Test
  void errorMessageHidesNonPrintableBytes() {
    PromParseException e = rejects("m\u0007 1\n", "m");
    assertTrue(e.getMessage().contains("\"m? 1\""), e.getMessage());
  }

  @Test
  void lengthLimitsWhatIsRead() throws Exception {
    byte[] b = "m 1\nm 2\ngarbage garbage garbage".getBytes(StandardCharsets.UTF_8);
    Recorder r = new Recorder();
    parser.parse(b, 8, Set.of("m"), r);
    assertEquals(2, r.samples.size());
  }
}
