package dev.aicost.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter's own memory, CPU and restarts are watchable: client_java's process_* and jvm_*
 * families.
 */
class SelfMetricsTest {
  @TempDir Path dir;

  @Test
  void processAndJvmFamiliesAreExposed() throws Exception {
    try (RunningExporter ex =
        new RunningExporter(
            """
        state: { path: %s }
        sources: { nvml: { enabled: false } }
        """
                .formatted(dir.resolve("l.db")),
            null,
            new MutableClock(Instant.parse("2026-11-23T10:00:00Z")),
            false)) {
      String text = ex.text("/metrics");
      for (String series :
          new String[] {
            "jvm_memory_used_bytes{area=\"heap\"}",
            "jvm_memory_used_bytes{area=\"nonheap\"}",
            "jvm_threads_current ",
            "jvm_gc_collection_seconds_count{",
            "process_cpu_seconds_total ",
            "process_start_time_seconds ",
            "process_resident_memory_bytes ",
            "jvm_runtime_info{"
          }) {
        assertTrue(text.contains("\n" + series), series + " missing in\n" + text);
      }
    }
  }
}
