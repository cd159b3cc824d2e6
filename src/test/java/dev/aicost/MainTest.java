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
      return new Run(Main.run(args), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void checkConfigExitCodes() throws Exception {
    Path good = Files.writeString(dir.resolve("good.yml"), "sources: { vllm: [ { name: a, url: 'http://127.0.0.1:8000/metrics' } ] }\n");
    Path bad = Files.writeString(dir.resolve("bad.yml"), "sources: { vllm: [ { name: a, url: 'nope', interval: 1x } ] }\n");
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
    Path bad = Files.writeString(dir.resolve("bad.yml"), "sources: { vllm: [ { name: a, url: 'http://h/m', colour: red } ] }\n");
    Run r = run("--config.file=" + bad);
    assertEquals(1, r.code());
    assertTrue(r.err().contains("sources.vllm[0].colour: unknown key"), r.err());
  }

  @Test
  void badWebConfigStopsStartAndFailsCheckConfig() throws Exception {
    Path web = Files.writeString(dir.resolve("web.yml"), "basic_auth_users: { alice: 'plain' }\ntls_server_config: { cert_file: none.crt, key_file: none.key }\n");
    Path cfg = Files.writeString(dir.resolve("c.yml"), "state: { path: " + dir.resolve("l.db") + " }\n");
    Run r = run("--config.file=" + cfg, "--web.config.file=" + web, "--web.listen-address=127.0.0.1:0");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("invalid web config"), r.err());
    assertTrue(r.err().contains("basic_auth_users.alice: not a bcrypt hash"), r.err());
    assertTrue(r.err().contains("tls_server_config.cert_file: "), r.err());
    assertFalse(r.err().contains("Exception"), r.err());

    Path withWeb = Files.writeString(dir.resolve("w.yml"), "server: { web_config_file: " + web + " }\n");
    Run check = run("check-config", withWeb.toString());
    assertEquals(1, check.code());
    assertTrue(check.err().contains("server.web_config_file: basic_auth_users.alice: not a bcrypt hash"), check.err());
  }

  @Test
  void usageErrorsHelpAndVersion() {
    assertEquals(2, run("--bogus").code());
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
    assertTrue(v.out().matches("(?s)aicost-exporter \\S+ \\(revision [0-9a-f]{40}, java .*"), v.out());
  }
}
