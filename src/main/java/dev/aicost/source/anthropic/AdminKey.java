package dev.aicost.source.anthropic;

import dev.aicost.collect.SourceException;
import dev.aicost.config.ManagedApiSourceConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Where the admin key comes from: an environment variable or a file, read on every poll so a
 * rotated key file takes effect without a reload. {@link #describe()} names the place, never the
 * key; errors name the place too.
 */
public abstract class AdminKey {

  /** The key, trimmed; a missing or empty variable or file is a collect failure, not a crash. */
  public abstract String read() throws SourceException;

  /**
   * The key if a header can carry it: visible ASCII only. Checked here because an HTTP client's
   * complaint about a header value may quote the value.
   */
  static String headerSafe(String key, String where) throws SourceException {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e)
        throw new SourceException(
            "config",
            "the admin key from "
                + where
                + " holds whitespace or a character a header cannot carry (at position "
                + i
                + "); is it one key on one line?");
    }
    return key;
  }

  /** Where the key comes from, for messages: {@code env ANTHROPIC_ADMIN_KEY}, {@code file /x}. */
  public abstract String describe();

  public static AdminKey from(ManagedApiSourceConfig cfg) {
    return from(cfg, System::getenv);
  }

  /** With {@code env} standing in for the process environment (tests). */
  static AdminKey from(ManagedApiSourceConfig cfg, UnaryOperator<String> env) {
    if (cfg.adminKeyFile() != null) return file(Path.of(cfg.adminKeyFile()));
    return env(cfg.adminKeyEnv(), env);
  }

  /** A key held in memory (the demo's fake key). */
  public static AdminKey fixed(String key, String description) {
    return new AdminKey() {
      @Override
      public String read() {
        return key;
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }

  static AdminKey env(String name, UnaryOperator<String> env) {
    return new AdminKey() {
      @Override
      public String read() throws SourceException {
        String v = env.apply(name);
        if (v == null || v.isBlank())
          throw new SourceException(
              "config", "no admin key: environment variable " + name + " is unset or empty");
        return headerSafe(v.trim(), describe());
      }

      @Override
      public String describe() {
        return "env " + name;
      }
    };
  }

  static AdminKey file(Path path) {
    return new AdminKey() {
      @Override
      public String read() throws SourceException {
        String v;
        try {
          v = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
          // the exception text is the path and the OS reason; the file's content never appears
          throw new SourceException(
              "config",
              "no admin key: cannot read admin_key_file "
                  + path
                  + " ("
                  + e.getClass().getSimpleName()
                  + ")");
        }
        if (v.isBlank())
          throw new SourceException("config", "no admin key: admin_key_file " + path + " is empty");
        return headerSafe(v.trim(), describe());
      }

      @Override
      public String describe() {
        return "file " + path;
      }
    };
  }
}
