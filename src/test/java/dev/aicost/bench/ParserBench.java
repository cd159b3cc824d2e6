package dev.aicost.bench;

import dev.aicost.source.vllm.PromParseException;
import dev.aicost.source.vllm.PromTextParser;
import dev.aicost.source.vllm.SampleConsumer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * PromTextParser over a generated data-parallel V1 page (8 engines: 2 models x 4 data-parallel
 * engines, ~330 KB), with the wanted set the vLLM source uses. Reports ns per page (the score) and,
 * as aux counters in the same ns unit, ns per sample line ({@code samples}) and ns per byte ({@code
 * bytes}; MB/s = 1000 / that). Run with {@code bench/parser.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ParserBench {
  public static final Set<String> VLLM_WANTED =
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

  @Param({"8"})
  public int engines;

  @Param({"meta-llama/Llama-3.3-70B-Instruct,Qwen/Qwen2.5-7B-Instruct"})
  public String models;

  private final PromTextParser parser = new PromTextParser(4096);
  private byte[] page;
  private int pageSamples;

  /** Per-iteration totals; JMH divides them by the measured time. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Work {
    public long bytes;
    public long samples;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
      samples = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException, PromParseException {
    VllmPageGenerator.Page p = VllmPageGenerator.generate(models.split(","), engines);
    page = p.text().getBytes(StandardCharsets.UTF_8);
    pageSamples = p.samples();
    Path out = Path.of(System.getProperty("bench.page", "target/bench-page.txt"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, page);
    int[] wanted = new int[1];
    parser.parse(page, page.length, VLLM_WANTED, (name, labels, value) -> wanted[0]++);
    System.out.printf(
        "%npage: %d bytes, %d sample lines, %d wanted samples, written to %s%n",
        page.length, pageSamples, wanted[0], out);
  }

  @Benchmark
  public void parseVllmPage(Work work, Blackhole bh) throws PromParseException {
    parser.parse(
        page,
        page.length,
        VLLM_WANTED,
        new SampleConsumer() {
          @Override
          public void sample(String name, Map<String, String> labels, double value) {
            bh.consume(labels);
            bh.consume(value);
          }
        });
    work.bytes += page.length;
    work.samples += pageSamples;
  }
}
