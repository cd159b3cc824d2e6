package dev.aicost.source.nvml;

import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The fake libnvidia-ml.so.1 built from src/test/c/fake_nvml.c by the test build, and how tests
 * program it.
 */
final class FakeNvml {
  static final String PATH = built("target/fake-nvml/libnvidia-ml.so.1");
  static final String NO_SAMPLES_PATH = built("target/fake-nvml-nosamples/libnvidia-ml.so.1");
  static final String NO_PROCESSES_PATH = built("target/fake-nvml-noprocesses/libnvidia-ml.so.1");

  /** A simulated "now" in µs, a multiple of every sample period the tests use. */
  static final long T0 = 1_700_000_000_000_000L;

  private FakeNvml() {}

  private static String built(String relative) {
    Path path = Path.of(relative).toAbsolutePath();
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          path + " is missing: it is built by the test build (mvn generate-test-resources)");
    }
    return path.toString();
  }

  /** Applies {@code key=value} settings separated by ';' or newlines (see fake_nvml.c). */
  static void control(String library, String settings) {
    NativeLibrary lib = LOADED.computeIfAbsent(library, NativeLibrary::getInstance);
    lib.getFunction("fake_nvml_control").invokeInt(new Object[] {settings});
  }

  /**
   * Strong references: JNA closes a library whose NativeLibrary is garbage collected, and a fake
   * unloaded between programming it and the exporter opening it would forget what it was told.
   */
  private static final java.util.Map<String, NativeLibrary> LOADED =
      new java.util.concurrent.ConcurrentHashMap<>();

  static void control(String settings) {
    control(PATH, settings);
  }

  static Instant at(long micros) {
    return Instant.ofEpochSecond(0, micros * 1000);
  }
}
