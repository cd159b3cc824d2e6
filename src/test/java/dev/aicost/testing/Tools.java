package dev.aicost.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs external tools the tests need (promtool, prometheus, alertmanager, amtool, docker-compose).
 * A missing tool skips the test on a developer box, with a message saying what to install, but
 * fails when {@code CI=true}: CI must never skip.
 */
public final class Tools {
  private Tools() {}

  /** The repository root (Maven runs tests from the project directory). */
  public static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  public static Optional<Path> find(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  /** The tool's path, or skip (developer box) / fail (CI=true) when it is not installed. */
  public static Path require(String tool, String installHint) {
    Optional<Path> p = find(tool);
    if (p.isPresent()) return p.get();
    String msg = tool + " not found on PATH; install " + installHint + " to run this check";
    if (inCi()) fail(msg + " (CI=true: checks must not be skipped)");
    Assumptions.abort(msg + " (skipped; set CI=true to make this a failure)");
    return null; // unreachable
  }

  public record Result(int exitCode, String output) {}

  public static Result run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    Path log = Files.createTempFile("aicost-tool", ".log");
    try {
      pb.redirectOutput(log.toFile());
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail("timed out: " + String.join(" ", command));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Runs the command and asserts exit code 0, showing its output on failure. */
  public static String runOk(String... command) throws IOException, InterruptedException {
    Result r = run(List.of(command));
    assertEquals(0, r.exitCode(), () -> String.join(" ", command) + " failed:\n" + r.output());
    return r.output();
  }

  public static List<String> glob(String dir, String suffix) throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(ROOT.resolve(dir))) {
      s.filter(p -> p.getFileName().toString().endsWith(suffix))
          .sorted()
          .forEach(p -> out.add(ROOT.relativize(p).toString()));
    }
    return out;
  }
}
