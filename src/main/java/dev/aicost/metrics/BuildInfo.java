package dev.aicost.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Version and git revision baked in at build time: the version by resource filtering, the revision
 * written by the build ({@code git rev-parse HEAD}, or {@code AICOST_REVISION}); "unknown" without
 * either.
 */
public record BuildInfo(String version, String revision) {
  public static BuildInfo load() {
    Properties p = new Properties();
    read(p, "/dev/aicost/build.properties");
    read(p, "/dev/aicost/revision.properties");
    return new BuildInfo(known(p.getProperty("version")), known(p.getProperty("revision")));
  }

  private static void read(Properties p, String resource) {
    try (InputStream in = BuildInfo.class.getResourceAsStream(resource)) {
      if (in != null) p.load(in);
    } catch (IOException ignored) {
      // fall through to "unknown"
    }
  }

  private static String known(String v) {
    return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v.trim();
  }
}
