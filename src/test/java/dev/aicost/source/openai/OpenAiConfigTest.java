package dev.aicost.source.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.ConfigException;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.ExporterConfig;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code sources.openai}: validation by path, the kind's source (the admin key: AdminKeyTest). */
class OpenAiConfigTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "sources: { openai: { interval: 5m } }|sources.openai: needs exactly one of admin_key_env",
        "sources: { openai: { admin_key_env: A, admin_key_file: /k } }|sources.openai: needs exactly one of admin_key_env (an environment variable's name) or admin_key_file (both are set)",
        "sources: { openai: { admin_key_env: sk-admin-abc123 } }|sources.openai.admin_key_env: must be an environment variable's name, not the key itself",
        "sources: { openai: { admin_key_env: K, bucket_width: 1d } }|sources.openai.bucket_width: must be 1m or 1h",
        "sources: { openai: { admin_key_env: K, base_url: 'ftp://x' } }|sources.openai.base_url: not an http(s) URL",
        "sources: { openai: { admin_key_env: K, window: 30m } }|sources.openai.window: must be at least 1h",
        "sources: { openai: { admin_key_env: K, interval: 1s } }|sources.openai.interval: must be at least 10s",
        "sources: { openai: { admin_key_file: '' } }|sources.openai.admin_key_file: must not be empty",
      })
  void everyProblemNamesItsPath(String yaml, String expected) {
    List<String> p =
        assertThrows(ConfigException.class, () -> new ConfigLoader().parse(yaml)).problems();
    assertTrue(p.stream().anyMatch(s -> s.startsWith(expected)), expected + " in " + p);
    assertFalse(p.toString().contains("sk-admin-abc123"), "the key itself is never echoed");
  }

  @Test
  void theKindBuildsOneSourceWhenTheSectionIsPresent() throws Exception {
    ExporterConfig on =
        new ConfigLoader()
            .parse(
                "sources: { openai: { admin_key_env: NO_SUCH_VAR_4711, base_url: 'http://127.0.0.1:1/v1/' } }");
    List<Source> s =
        new OpenAiSourceKind().create(new SourceSetup(on, List.of(), new OkHttpClient()));
    assertEquals(1, s.size());
    assertEquals("openai", s.get(0).name());
    assertEquals("http://127.0.0.1:1/v1", s.get(0).target());
    assertEquals(Duration.ofMinutes(5), s.get(0).interval());
    ExporterConfig proxy =
        new ConfigLoader()
            .parse(
                "sources: { openai: { admin_key_env: K, base_url: 'http://u:pr0xy-secret@127.0.0.1:1' } }");
    assertEquals(
        "http://127.0.0.1:1/v1",
        new OpenAiSourceKind()
            .create(new SourceSetup(proxy, List.of(), new OkHttpClient()))
            .get(0)
            .target());
    ExporterConfig off = new ConfigLoader().parse("sources: { nvml: { enabled: false } }");
    assertTrue(
        new OpenAiSourceKind()
            .create(new SourceSetup(off, List.of(), new OkHttpClient()))
            .isEmpty());
  }
}
