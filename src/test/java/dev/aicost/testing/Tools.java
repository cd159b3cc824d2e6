package dev.aicost.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** External tools tests use; absent on a developer box = skipped with a message, absent on CI = failure. */
public final class Tools {
  private Tools() {}

  public static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, tool).canExecute()) return true;
    }
    return false;
  }

  /** Skips (developer box) or fails (CI=true) when the tool is missing. */
  public static void require(String tool, String installHint) {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (!onPath(tool)) {
      if (ci) throw new AssertionError(tool + " is required on CI but not on PATH; " + installHint);
      Assumptions.abort(tool + " not on PATH; skipping (" + installHint + ")");
    }
  }

  public record Result(int code, String output) {}

  public static Result run(Path dir, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in 120 s");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  public static void assertSucceeds(Path dir, List<String> command) throws Exception {
    Result r = run(dir, command);
    assertEquals(0, r.code(), String.join(" ", command) + " failed:\n" + r.output());
  }
}
