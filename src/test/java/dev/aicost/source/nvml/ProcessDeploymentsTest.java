package dev.aicost.source.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.config.ProcessMatchConfig;
import dev.aicost.config.VllmSourceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ProcessDeployments on a procfs tree written by the test: parsing, ancestry, unreadable entries.
 */
class ProcessDeploymentsTest {
  @TempDir Path proc;

  private void process(int pid, int ppid, String comm, String... argv) throws Exception {
    Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
    Files.writeString(
        dir.resolve("stat"), pid + " (" + comm + ") S " + ppid + " " + pid + " 1 0 -1 4194560 0 0");
    Files.write(
        dir.resolve("cmdline"),
        (String.join("\0", argv) + (argv.length > 0 ? "\0" : "")).getBytes());
    Files.createDirectories(dir.resolve("fd"));
  }

  private void socket(int pid, int fd, long inode) throws Exception {
    Files.createSymbolicLink(proc.resolve(pid + "/fd/" + fd), Path.of("socket:[" + inode + "]"));
  }

  private void tables(String tcp, String tcp6) throws Exception {
    Files.createDirectories(proc.resolve("net"));
    String header =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    Files.writeString(proc.resolve("net/tcp"), header + tcp);
    if (tcp6 != null) Files.writeString(proc.resolve("net/tcp6"), header + tcp6);
  }

  @Test
  void portOwnersCmdlinesAndTheirDescendants() throws Exception {
    process(1, 0, "init", "/sbin/init");
    process(
        100, 1, "vllm", "python3", "-m", "vllm.entrypoints.openai.api_server", "--port", "8000");
    process(
        101,
        100,
        "pt_main_thread",
        "python3",
        "-c",
        "from multiprocessing.spawn import spawn_main");
    process(102, 101, "weird) (name", "worker"); // comm with spaces and parentheses
    process(200, 1, "python3", "python3", "serve.py", "--model", "qwen");
    process(201, 200, "python3", "python3", "-c", "worker");
    process(300, 1, "kworker/0:1"); // kernel thread: empty cmdline
    process(400, 1, "other", "nginx");
    Files.createDirectories(proc.resolve("500")); // exited mid-scan: no stat
    Files.createDirectories(proc.resolve("self"));
    socket(100, 7, 4242);
    socket(101, 7, 4242); // inherited by the worker
    socket(400, 3, 999); // a LISTEN socket on another port
    tables(
        """
           0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
           1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 999 1 0000000000000000 100 0 0 10 0
           2: 0100007F:1F40 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 5555 1 0000000000000000 100 0 0 10 0
        garbage
        """,
        null);
    ProcessDeployments p =
        new ProcessDeployments(
            proc,
            List.of(
                new ProcessDeployments.Rule("llama", 8000, null),
                new ProcessDeployments.Rule("qwen", -1, Pattern.compile("serve\\.py .*qwen"))));
    ProcessDeployments.Snapshot s = p.scan();
    assertEquals(
        Map.of(100, "llama", 101, "llama", 102, "llama", 200, "qwen", 201, "qwen"),
        s.deploymentByPid());
    assertTrue(s.visible(300));
    assertFalse(s.visible(500));
    assertFalse(s.visible(4_000_000));
  }

  @Test
  void ipv6ListenersAndTheNearestRoot() throws Exception {
    process(10, 1, "sh", "sh", "-c", "vllm serve llama");
    process(11, 10, "vllm", "vllm", "serve", "llama");
    process(12, 11, "worker", "python3", "worker");
    socket(11, 4, 77);
    tables(
        "",
        """
           0: 00000000000000000000000001000000:1F41 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 77 1 0000000000000000 100 0 0 10 0
        """);
    ProcessDeployments p =
        new ProcessDeployments(
            proc,
            List.of(
                new ProcessDeployments.Rule("launcher", -1, Pattern.compile("^sh -c")),
                new ProcessDeployments.Rule("api", 8001, null)));
    assertEquals(Map.of(10, "launcher", 11, "api", 12, "api"), p.scan().deploymentByPid());
  }

  @Test
  void aMissingProcfsIsAnEmptySnapshot() {
    ProcessDeployments p =
        new ProcessDeployments(
            proc.resolve("nope"),
            List.of(new ProcessDeployments.Rule("a", 80, Pattern.compile("x"))));
    assertEquals(ProcessDeployments.Snapshot.EMPTY, p.scan());
  }

  @Test
  void rulesComeFromTheDeploymentsThatOptedIn() {
    List<ProcessDeployments.Rule> rules =
        ProcessDeployments.rules(
            List.of(
                VllmSourceConfig.of("a", "http://127.0.0.1:8000/metrics")
                    .withProcess(new ProcessMatchConfig(true, null)),
                VllmSourceConfig.of("b", "http://10.1.1.1/metrics"),
                VllmSourceConfig.of("c", "https://localhost/metrics")
                    .withProcess(new ProcessMatchConfig(true, "x+")),
                VllmSourceConfig.of("d", "http://10.1.1.1/metrics")
                    .withProcess(new ProcessMatchConfig(false, "vllm"))));
    assertEquals(3, rules.size());
    assertEquals(8000, rules.get(0).port());
    assertEquals(null, rules.get(0).cmdline());
    assertEquals(443, rules.get(1).port());
    assertEquals("x+", rules.get(1).cmdline().pattern());
    assertEquals(-1, rules.get(2).port());
    assertEquals("d", rules.get(2).deployment());
  }
}
