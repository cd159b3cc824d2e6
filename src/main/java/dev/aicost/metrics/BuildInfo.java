package dev.aicost.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Version and revision baked in at build time. */
public record BuildInfo(String version, String revision) {
  public static BuildInfo load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/aicost/build.properties")) {
      if (in != null) p.load(in);
    } catch (IOException ignored) {
      // fall through to "unknown"
    }
    String rev = p.getProperty("revision", "");
    return new BuildInfo(p.getProperty("version", "unknown"), rev.startsWith("${") ? "unknown" : rev);
  }
}
