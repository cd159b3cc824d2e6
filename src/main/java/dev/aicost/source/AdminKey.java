package dev.aicost.source;

import dev.aicost.collect.SourceException;
import dev.aicost.config.ManagedApiSourceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * An admin API's key (OpenAI, Anthropic), from {@code admin_key_env} or {@code admin_key_file} (the
 * file wins when both are given), read at every {@link #read()} so a rotated file or a key provided
 * after start applies without a restart. Every failure is a {@link SourceException} with reason
 * {@code config} naming the variable or file, never the key: a key the API refuses is the client's
 * {@code auth}, not this class's business.
 */
public final class AdminKey {
  /** Larger files are not keys (someone pointed at the wrong file). */
  public static final int MAX_FILE_BYTES = 4096;

  private final String env;
  private final Path file;
  private final UnaryOperator<String> environment;
  private final String fixed;
  private final String description;

  private AdminKey(
      String env, Path file, UnaryOperator<String> environment, String fixed, String description) {
    this.env = env;
    this.file = file;
    this.environment = environment;
    this.fixed = fixed;
    this.description = description;
  }

  /** The key {@code cfg} names, from the process environment or its file. */
  public static AdminKey from(ManagedApiSourceConfig cfg) {
    return from(cfg, System::getenv);
  }

  /** With {@code environment} standing in for the process environment (tests). */
  public static AdminKey from(ManagedApiSourceConfig cfg, UnaryOperator<String> environment) {
    if (cfg.adminKeyFile() != null) {
      Path f = Path.of(cfg.adminKeyFile());
      return new AdminKey(null, f, null, null, "file " + f);
    }
    String name = cfg.adminKeyEnv();
    return new AdminKey(
        name,
        null,
        environment,
        null,
        name == null ? "no admin_key_env or admin_key_file" : "environment variable " + name);
  }

  /** A key held in memory (the demo's in-process key); {@code description} names it in messages. */
  public static AdminKey fixed(String key, String description) {
    return new AdminKey(null, null, null, key, description);
  }

  /** Where the key comes from, for messages: {@code environment variable X} or {@code file Y}. */
  public String describe() {
    return description;
  }

  /**
   * The key, stripped of surrounding whitespace.
   *
   * @throws SourceException reason {@code config}: the variable is unset or empty, the file is
   *     unreadable, empty or larger than {@link #MAX_FILE_BYTES}, or the key holds a character an
   *     HTTP header cannot carry
   */
  public String read() throws SourceException {
    String k;
    if (fixed != null) k = fixed;
    else if (file != null) k = readFile();
    else if (env == null)
      throw missing("neither admin_key_env nor admin_key_file is set in this section");
    else {
      k = environment.apply(env);
      if (k == null) throw missing("environment variable " + env + " is not set");
    }
    k = k.strip();
    if (k.isEmpty())
      throw missing((file != null ? "admin_key_file " + file : describe()) + " is empty");
    return headerSafe(k);
  }

  private String readFile() throws SourceException {
    byte[] raw;
    try (InputStream in = Files.newInputStream(file)) {
      raw = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException | RuntimeException e) {
      // the exception text would be the path and the OS reason; only its kind is kept
      throw missing(
          "admin_key_file " + file + " is not readable (" + e.getClass().getSimpleName() + ")");
    }
    if (raw.length > MAX_FILE_BYTES)
      throw missing(
          "admin_key_file " + file + " is larger than " + MAX_FILE_BYTES + " bytes: not a key");
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
    } catch (CharacterCodingException e) {
      throw missing("admin_key_file " + file + " is not UTF-8 text: not a key");
    }
  }

  /**
   * Visible ASCII only: an HTTP client's complaint about a header value (OkHttp's about a control
   * character or inner whitespace) may quote the value, so such a key never reaches it.
   */
  private String headerSafe(String key) throws SourceException {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e)
        throw new SourceException(
            "config",
            "the admin key from "
                + describe()
                + " holds whitespace or a character a header cannot carry (at position "
                + i
                + "); is it one key on one line?");
    }
    return key;
  }

  private static SourceException missing(String what) {
    return new SourceException("config", "no admin key: " + what);
  }
}
