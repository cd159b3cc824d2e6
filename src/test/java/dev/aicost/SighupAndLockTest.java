package dev.aicost;

import static dev.aicost.testing.Ports.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.VllmPages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter as a real child process (Main, the test class path): SIGHUP reloads instead of
 * killing it, POST /-/reload is off without --web.enable-lifecycle, a second exporter on the same
 * state.path is refused, and the start-up log names the address bound.
 */
class SighupAndLockTest {
  @TempDir Path dir;
  private final FakeVllmServer vllm = new FakeVllmServer();
  private final OkHttpClient http =
      new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
  private Process child;

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null) child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    vllm.close();
  }

  private String config(String deployment) {
    return """
        state: { path: %s }
        sources:
          nvml: { enabled: false }
          vllm: [ { name: %s, url: "%s", interval: 1h } ]
        """
        .formatted(dir.resolve("ledger.db"), deployment, vllm.url());
  }

  @Test
  void sighupReloadsAndASecondExporterOnTheLedgerIsRefused() throws Exception {
    vllm.page(VllmPages.v1("m", "0", 1000, 100, 250, 10, 1.7e9));
    Path cfg = Files.writeString(dir.resolve("c.yml"), config("first"));
    int port = freePort();
    Path log = dir.resolve("exporter.log");
    child =
        new ProcessBuilder(
                System.getProperty("java.home") + "/bin/java",
                "-Xmx96m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.aicost.Main",
                "--config.file=" + cfg,
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    awaitMetrics(port, m -> m.contains("collector=\"vllm/first\""), log);
    // the first collect can be scraped a moment before start() writes its line: wait for it,
    // bounded
    String started = "event=started listen=127.0.0.1:" + port + " ";
    for (int i = 0; i < 100 && !Files.readString(log).contains(started); i++) Thread.sleep(100);
    assertTrue(Files.readString(log).contains(started), Files.readString(log));

    try (Response r =
        http.newCall(
                new Request.Builder()
                    .url("http://127.0.0.1:" + port + "/-/reload")
                    .post(RequestBody.create(new byte[0], MediaType.get("text/plain")))
                    .build())
            .execute()) {
      assertEquals(403, r.code(), "no lifecycle API without --web.enable-lifecycle");
    }

    Files.writeString(cfg, config("second"));
    hup();
    String m = awaitMetrics(port, s -> s.contains("collector=\"vllm/second\""), log);
    assertTrue(m.contains("aicost_config_last_reload_successful 1.0"), m);
    assertTrue(child.isAlive());

    Files.writeString(cfg, "");
    hup();
    m = awaitMetrics(port, s -> s.contains("aicost_config_last_reload_successful 0.0"), log);
    assertTrue(
        m.contains("aicost_collector_success{collector=\"vllm/second\"} 1.0"),
        "an empty file stops nothing: " + m);
    assertTrue(child.isAlive());

    // a second exporter on the same state.path, in this JVM through Main: refused, exit 1, names
    // the path
    Files.writeString(cfg, config("second"));
    Path db = dir.resolve("ledger.db");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  Main.run(
                      new String[] {"--config.file=" + cfg, "--web.listen-address=127.0.0.1:0"}));
    } finally {
      System.setErr(err);
    }
    assertEquals(1, code);
    assertEquals(
        "aicost-exporter: cannot start: state.path "
            + db
            + " is in use by another aicost-exporter (lock held on "
            + db
            + ".lock)",
        captured
            .toString(StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.startsWith("aicost-exporter:"))
            .findFirst()
            .orElse(captured.toString()));
    assertTrue(child.isAlive());
  }

  private void hup() throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor());
  }

  private String awaitMetrics(int port, Predicate<String> ok, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!child.isAlive())
        throw new AssertionError(
            "exporter exited " + child.exitValue() + ": " + Files.readString(log));
      try (Response r =
          http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/metrics").build())
              .execute()) {
        last = r.body().string();
        if (ok.test(last)) return last;
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "condition not met; last scrape:\n" + last + "\nlog:\n" + Files.readString(log));
  }
}
