package dev.aicost.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.VllmPages;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dead source logs once on each change of state (failing, another reason, recovered), not every
 * interval.
 */
class FailureLoggingTest {
  @TempDir Path dir;

  @Test
  void deadSourceLogsOncePerStateChange() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    try (FakeVllmServer vllm = new FakeVllmServer().status(500).page("oops");
        RunningExporter ex =
            new RunningExporter(
                """
            state: { path: %s }
            sources:
              nvml: { enabled: false }
              vllm: [ { name: d, url: "%s", interval: 1h } ]
            """
                    .formatted(dir.resolve("l.db"), vllm.url()),
                null,
                clock,
                false)) {
      ex.awaitFirstRuns();
      for (int i = 0; i < 5; i++) ex.collect("vllm/d"); // six failures, same reason
      vllm.status(200).page("not a metrics page {{{");
      for (int i = 0; i < 3; i++) ex.collect("vllm/d"); // another reason: parse
      clock.advance(Duration.ofSeconds(90));
      vllm.page(VllmPages.v1("m", "0", 1000, 100, 250, 10, 1.7e9));
      ex.collect("vllm/d");
      ex.collect("vllm/d");
      vllm.status(500).page("oops");
      ex.collect("vllm/d");
      ex.collect("vllm/d");
    } finally {
      System.setErr(err);
    }
    List<String> events =
        Arrays.stream(buf.toString(StandardCharsets.UTF_8).split("\n"))
            .filter(l -> l.contains("collector=vllm/d") && l.contains("event=collect_"))
            .map(
                l ->
                    l.replaceAll(".*event=(\\S+).*reason=(\\S+).*", "$1 $2")
                        .replaceAll(".*event=(collect_recovered).*", "$1"))
            .toList();
    assertEquals(
        List.of(
            "collect_failed http_status",
            "collect_failed parse",
            "collect_recovered",
            "collect_failed http_status"),
        events,
        buf.toString(StandardCharsets.UTF_8));
  }
}
