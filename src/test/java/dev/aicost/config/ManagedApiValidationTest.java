package dev.aicost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sources.anthropic}: problems named by path; the key itself never belongs in the file. */
class ManagedApiValidationTest {
  private final ConfigLoader loader = new ConfigLoader();

  private List<String> problems(String section) {
    return assertThrows(
            ConfigException.class, () -> loader.parse("sources:\n  anthropic: " + section + "\n"))
        .problems();
  }

  @Test
  void theDocumentedSectionLoads() throws Exception {
    ManagedApiSourceConfig a =
        loader
            .parse(
                """
                sources:
                  anthropic:
                    admin_key_env: ANTHROPIC_ADMIN_KEY
                    interval: 5m
                    base_url: https://proxy.example/anthropic
                    bucket_width: 1m
                """)
            .sources()
            .anthropic();
    assertNotNull(a);
    assertEquals("ANTHROPIC_ADMIN_KEY", a.adminKeyEnv());
    assertEquals(Duration.ofMinutes(5), a.interval());
    assertEquals("1m", a.bucketWidth());
    assertEquals(Duration.ofHours(2), a.window());
  }

  @Test
  void exactlyOneKeySource() {
    assertTrue(
        problems("{ interval: 5m }")
            .contains(
                "sources.anthropic: needs exactly one of admin_key_env or admin_key_file (the admin key itself never goes in this file)"));
    assertEquals(1, problems("{ admin_key_env: K, admin_key_file: /run/secrets/k }").size());
  }

  @Test
  void eachProblemNamesItsPath() {
    List<String> p =
        problems(
            "{ admin_key_env: \"sk-ant-admin01-abc-def\", base_url: \"https://u:secretpw@proxy/v1\", bucket_width: 1d, window: 1m, interval: 5m, timeout: 1ms }");
    assertTrue(
        p.contains(
            "sources.anthropic.admin_key_env: must be an environment variable name, not the key"),
        p.toString());
    assertTrue(
        p.contains("sources.anthropic.base_url: must not hold a user name or password"),
        p.toString());
    assertTrue(p.contains("sources.anthropic.bucket_width: must be 1m or 1h"), p.toString());
    assertTrue(
        p.stream()
            .anyMatch(s -> s.startsWith("sources.anthropic.window: must be at least interval")),
        p.toString());
    assertTrue(p.contains("sources.anthropic.timeout: must be at least 100ms"), p.toString());
    // neither the mistaken key nor the URL's password is repeated back
    assertFalse(p.toString().contains("sk-ant-admin01-abc-def"));
    assertFalse(p.toString().contains("secretpw"));
    assertTrue(
        problems("{ admin_key_env: K, base_url: \"ftp://x\" }")
            .contains("sources.anthropic.base_url: not an http(s) URL"));
  }
}
