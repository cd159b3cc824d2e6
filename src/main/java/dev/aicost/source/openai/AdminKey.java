package dev.aicost.source.openai;

import dev.aicost.config.ManagedApiSourceConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin key, read from {@code admin_key_env} or {@code admin_key_file} at every poll, so a
 * rotated file or a key provided after start applies without a restart. A missing or empty source
 * is a {@link HttpOpenAiUsageApi.MissingKey} naming the variable or file, never a value.
 */
public final class AdminKey implements Supplier<String> {
  /** Larger files are not keys (someone pointed at the wrong file). */
  private static final long MAX_FILE_BYTES = 4096;

  private final String env;
  private final Path file;
  private final Function<String, String> environment;

  public AdminKey(ManagedApiSourceConfig cfg, Function<String, String> environment) {
    this.env = cfg.adminKeyFile() == null ? cfg.adminKeyEnv() : null;
    this.file = cfg.adminKeyFile() == null ? null : Path.of(cfg.adminKeyFile());
    this.environment = environment;
  }

  public AdminKey(ManagedApiSourceConfig cfg) {
    this(cfg, System::getenv);
  }

  /** Where the key comes from, for messages: {@code environment variable X} or {@code file Y}. */
  public String origin() {
    return file != null ? "file " + file : "environment variable " + env;
  }

  @Override
  public String get() {
    String k;
    if (file != null) {
      try {
        if (Files.size(file) > MAX_FILE_BYTES)
          throw new HttpOpenAiUsageApi.MissingKey(
              "admin_key_file " + file + " is larger than " + MAX_FILE_BYTES + " bytes: not a key");
        k = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new HttpOpenAiUsageApi.MissingKey(
            "admin_key_file " + file + " is not readable (" + e.getClass().getSimpleName() + ")");
      }
    } else {
      k = env == null ? null : environment.apply(env);
      if (k == null)
        throw new HttpOpenAiUsageApi.MissingKey("environment variable " + env + " is not set");
    }
    k = k.strip();
    if (k.isEmpty()) throw new HttpOpenAiUsageApi.MissingKey(origin() + " is empty");
    // a header value with a control character would fail inside OkHttp with the value in the text
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      if (c < 0x21 || c > 0x7e)
        throw new HttpOpenAiUsageApi.MissingKey(
            origin() + " holds a character a key cannot contain (position " + i + ")");
    }
    return k;
  }
}
