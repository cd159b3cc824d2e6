package dev.aicost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of the command line, without starting a server. */
class MainTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    PrintStream out = System.out, err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      return new Run(
          Main.run(args), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void checkConfigExitCodes() throws Exception {
    Path good =
        Files.writeString(
            dir.resolve("good.yml"),
            "sources: { vllm: [ { name: a, url: 'http://127.0.0.1:8000/metrics' } ] }\n");
    Path bad =
        Files.writeString(
            dir.resolve("bad.yml"),
            "sources: { vllm: [ { name: a, url: 'nope', interval: 1x } ] }\n");
    Run ok = run("check-config", good.toString());
    assertEquals(0, ok.code());
    assertTrue(ok.out().contains("valid"), ok.out());
    Run ko = run("check-config", bad.toString());
    assertEquals(1, ko.code());
    assertTrue(ko.err().contains("sources.vllm[0].interval: must be a duration"), ko.err());
    assertFalse(ko.err().contains("Exception"), "no stack trace for a user mistake: " + ko.err());
    assertEquals(1, run("check-config", dir.resolve("missing.yml").toString()).code());
  }

  @Test
  void badConfigFileStopsStartWithPathQualifiedMessage() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yml"),
            "sources: { vllm: [ { name: a, url: 'http://h/m', colour: red } ] }\n");
    Run r = run("--config.file=" + bad);
    assertEquals(1, r.code());
    assertTrue(r.err().contains("sources.vllm[0].colour: unknown key"), r.err());
  }

  @Test
  void badWebConfigStopsStartAndFailsCheckConfig() throws Exception {
    Path web =
        Files.writeString(
            dir.resolve("web.yml"),
            "basic_auth_users: { alice: 'plain' }\ntls_server_config: { cert_file: none.crt, key_file: none.key }\n");
    Path cfg =
        Files.writeString(dir.resolve("c.yml"), "state: { path: " + dir.resolve("l.db") + " }\n");
    Run r =
        run("--config.file=" + cfg, "--web.config.file=" + web, "--web.listen-address=127.0.0.1:0");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("invalid web config"), r.err());
    assertTrue(r.err().contains("basic_auth_users.alice: not a bcrypt hash"), r.err());
    assertTrue(r.err().contains("tls_server_config.cert_file: "), r.err());
    assertFalse(r.err().contains("Exception"), r.err());

    Path withWeb =
        Files.writeString(dir.resolve("w.yml"), "server: { web_config_file: " + web + " }\n");
    Run check = run("check-config", withWeb.toString());
    assertEquals(1, check.code());
    assertTrue(
        check.err().contains("server.web_config_file: basic_auth_users.alice: not a bcrypt hash"),
        check.err());
  }

  @Test
  void checkConfigReportsEveryProblemAndNoPassword() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yml"),
            """
        sources:
          vllm:
            - { name: a, url: "ftp://scraper:hunter2@gpu-box:8000/metrics", gpu_count: "four" }
        pricing: { files: [ "ftp://prices:s3cret@example.com/prices.json" ] }
        budgets: [ { name: org, monthly_usd: 0 } ]
        """);
    Run r = run("check-config", bad.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("4 problems:"), r.err());
    assertTrue(
        r.err().contains("sources.vllm[0].gpu_count: must be an integer, got \"four\""), r.err());
    assertTrue(
        r.err()
            .contains(
                "sources.vllm[0].url: not an http(s) URL: \"ftp://scraper:xxxxx@gpu-box:8000/metrics\""),
        r.err());
    assertTrue(r.err().contains("pricing.files[0]: "), r.err());
    assertTrue(r.err().contains("budgets[0].monthly_usd: "), r.err());
    assertFalse(r.err().contains("hunter2") || r.err().contains("s3cret"), r.err());

    Run start = run("--config.file=" + bad, "--web.listen-address=127.0.0.1:0");
    assertEquals(1, start.code());
    assertFalse(start.err().contains("hunter2") || start.err().contains("s3cret"), start.err());
  }

  @Test
  void anEmptyConfigFileIsRefusedAtStart() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.yml"), "# sources: nothing yet\n");
    Run r = run("--config.file=" + empty, "--web.listen-address=127.0.0.1:0");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("configuration: the file is empty"), r.err());
    assertEquals(1, run("check-config", empty.toString()).code());
  }

  @Test
  void badFlagValuesGiveOneLineAndExitOne() {
    for (String[] c :
        new String[][] {
          {
            "--web.listen-address=20001",
            "--web.listen-address: must be host:port or :port, got \"20001\""
          },
          {
            "--web.listen-address=:99999",
            "--web.listen-address: port 99999 is out of range (0-65535)"
          },
          {
            "--web.listen-address=host:",
            "--web.listen-address: must be host:port or :port, got \"host:\""
          },
          {
            "--web.listen-address=[::1:80",
            "--web.listen-address: must be host:port or :port, got \"[::1:80\""
          },
          {"--log.level=loud", "--log.level must be one of debug, info, warn, error"}
        }) {
      Run r = run(c[0]);
      assertEquals(1, r.code(), c[0]);
      assertEquals("aicost-exporter: " + c[1] + "\n", r.err(), c[0]);
      assertEquals("", r.out());
    }
  }

  @Test
  void usageErrorsHelpAndVersion() {
    Run bogus = run("--bogus");
    assertEquals(1, bogus.code());
    assertEquals("aicost-exporter: unknown flag --bogus (see --help)\n", bogus.err());
    Run help = run("--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("--config.file"));
    Run h = run("-h");
    assertEquals(0, h.code(), h.err());
    assertEquals(help.out(), h.out());
    Run v = run("--version");
    assertEquals(0, v.code());
    assertTrue(v.out().startsWith("aicost-exporter "), v.out());
    // the build writes the checkout's revision (this test runs inside the git checkout)
    assertTrue(
        v.out().matches("(?s)aicost-exporter \\S+ \\(revision [0-9a-f]{40}, java .*"), v.out());
  }
}
