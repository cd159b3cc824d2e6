package dev.aicost;

import static dev.aicost.testing.Ports.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.VllmPages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged exporter, killed with SIGKILL while it reads a fast-moving vLLM and started again:
 * no exposed counter ever goes down, and the totals equal what vLLM counted, once, including what
 * it counted while the exporter was down and across a vLLM restart during the downtime.
 */
class RestartIT {
  private static final Pattern TOKENS =
      Pattern.compile("aicost_tokens_total\\{[^}]*token_type=\"(\\w+)\"[^}]*} (\\S+)");
  private static final Pattern REQUESTS = Pattern.compile("aicost_requests_total\\{[^}]*} (\\S+)");

  @TempDir Path dir;
  private final FakeVllmServer vllm = new FakeVllmServer();
  private final OkHttpClient http =
      new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(2)).build();
  private final List<Process> processes = new ArrayList<>();
  private double lastPrompt = 0;

  @AfterEach
  void cleanUp() {
    processes.forEach(Process::destroyForcibly);
    vllm.close();
  }

  @Test
  void killNineLosesAndRepeatsNothing() throws Exception {
    int port = freePort();
    Path cfg =
        Files.writeString(
            dir.resolve("c.yml"),
            """
        state: { path: %s }
        sources:
          vllm:
            - { name: llama-prod, url: "%s", interval: 200ms, gpu_count: 1, gpu_hourly_usd: 3.6 }
        """
                .formatted(dir.resolve("ledger.db"), vllm.url()));

    vllm.page(VllmPages.v1("m", "0", 1000, 100, 400, 10, 1.7e9));
    Process p = start(cfg, port);
    awaitTotals(port, 1000, 100, 10);
    for (int i = 1; i <= 10; i++) { // counters move while the exporter reads them every 200 ms
      vllm.page(
          VllmPages.v1("m", "0", 1000 + 300 * i, 100 + 30 * i, 400 + 100 * i, 10 + 3 * i, 1.7e9));
      Thread.sleep(70);
      scrape(port);
    }
    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs

    vllm.page(
        VllmPages.v1("m", "0", 9000, 900, 3000, 90, 1.7e9)); // traffic while the exporter is down
    Process again = start(cfg, port);
    awaitTotals(port, 9000, 900, 90);
    Thread.sleep(1000); // several more reads: still exactly once
    assertTotals(port, 9000, 900, 90);
    again.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

    // vLLM restarts while the exporter is down: its counters begin again at zero
    vllm.page(VllmPages.v1("m", "0", 500, 50, 100, 5, 1.8e9));
    start(cfg, port);
    awaitTotals(port, 9500, 950, 95);
    Thread.sleep(600);
    assertTotals(port, 9500, 950, 95);
  }

  private Process start(Path cfg, int port) throws IOException {
    String jar = System.getProperty("aicost.jar", "target/aicost-exporter.jar");
    Process p =
        new ProcessBuilder(
                System.getProperty("java.home") + "/bin/java",
                "-Xmx96m",
                "-jar",
                jar,
                "--config.file=" + cfg,
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("exporter-" + processes.size() + ".log").toFile())
            .start();
    processes.add(p);
    return p;
  }

  /** prompt total (input + cache_read), output, requests as exposed; checks none went down. */
  private double[] scrape(int port) {
    try (Response r =
        http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/metrics").build())
            .execute()) {
      String body = r.body().string();
      double prompt = 0, output = 0, requests = 0;
      Matcher m = TOKENS.matcher(body);
      while (m.find()) {
        double v = Double.parseDouble(m.group(2));
        if (m.group(1).equals("output")) output += v;
        else prompt += v;
      }
      Matcher q = REQUESTS.matcher(body);
      while (q.find()) requests += Double.parseDouble(q.group(1));
      if (prompt > 0) {
        assertTrue(prompt >= lastPrompt, "a counter went down: " + prompt + " < " + lastPrompt);
        lastPrompt = prompt;
      }
      return new double[] {prompt, output, requests};
    } catch (IOException e) {
      return null; // not up yet
    }
  }

  private void awaitTotals(int port, double prompt, double output, double requests)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    double[] last = null;
    while (System.nanoTime() < deadline) {
      double[] t = scrape(port);
      if (t != null) {
        last = t;
        if (t[0] == prompt && t[1] == output && t[2] == requests) return;
        assertTrue(t[0] <= prompt, "counted more than vLLM did: " + t[0] + " > " + prompt);
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "totals never reached "
            + prompt
            + "/"
            + output
            + "/"
            + requests
            + "; last "
            + java.util.Arrays.toString(last));
  }

  private void assertTotals(int port, double prompt, double output, double requests) {
    double[] t = scrape(port);
    assertEquals(prompt, t[0]);
    assertEquals(output, t[1]);
    assertEquals(requests, t[2]);
  }
}
