package dev.aicost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private final ConfigLoader loader = new ConfigLoader();

  private List<String> problems(String yaml) {
    return assertThrows(ConfigException.class, () -> loader.parse(yaml)).problems();
  }

  @Test
  void fullExampleLoadsIntoTypedRecords() throws Exception {
    ExporterConfig c =
        loader.parse(
            """
        server: { listen: "127.0.0.1:9999", telemetry_path: /m, read_header_timeout: 3s }
        state: { path: /tmp/x.db }
        timezone: Europe/Berlin
        trailing_window: 10m
        pricing:
          models:
            - { provider: openai, model: gpt-4o, input: 2.5, output: 10, effective_from: 2026-01-01 }
          gpus: [ { match: { name: "NVIDIA H100 80GB HBM3" }, hourly_usd: 3.6 } ]
          energy: { usd_per_kwh: 0.12, pue: 1.3 }
        attribution:
          rules:
            - match: { deployment: llama-prod }
              set: { team: search, cost_center: CC-1001 }
        sources:
          vllm:
            - { name: llama-prod, url: "http://127.0.0.1:8000/metrics", interval: 15s, gpu_count: 4, gpu_hourly_usd: 2.5 }
        budgets: [ { name: org, monthly_usd: 20000 } ]
        limits: { max_series_per_metric: 5000, max_scrape_bytes: 8MiB, max_label_value_length: 512 }
        """);
    assertEquals("127.0.0.1:9999", c.server().listen());
    assertEquals(java.time.Duration.ofSeconds(3), c.server().readHeaderTimeout());
    assertEquals(Duration.ofMinutes(10), c.trailingWindow());
    VllmSourceConfig v = c.sources().vllm().get(0);
    assertEquals(4, v.gpuCount());
    assertEquals(2.5, v.gpuHourlyUsd());
    assertEquals(Duration.ofSeconds(5), v.timeout());
    assertEquals(8L << 20, c.limits().maxScrapeBytes().bytes());
    assertEquals("search", c.attribution().rules().get(0).set().get("team"));
  }

  @Test
  void shippedExampleIsValid() throws Exception {
    ExporterConfig c = loader.load(java.nio.file.Path.of("config/example.yml"));
    assertEquals("llama-prod", c.sources().vllm().get(0).name());
  }

  @Test
  void renamedLabelKeysAreStillReadAsTheirNewNames() throws Exception {
    ExporterConfig c =
        loader.parse(
            """
        attribution:
          rules:
            - { match: { service: vllm, deployment: d }, set: { team: t, environment: prod } }
        budgets: [ { name: b, monthly_usd: 10, match: { environment: prod } } ]
        """);
    assertEquals(
        java.util.Map.of("ai_service", "vllm", "deployment", "d"),
        c.attribution().rules().get(0).match());
    assertEquals(
        List.of("ai_service", "deployment"),
        List.copyOf(c.attribution().rules().get(0).match().keySet()),
        "order kept");
    assertEquals(
        java.util.Map.of("team", "t", "app_env", "prod"), c.attribution().rules().get(0).set());
    assertEquals(java.util.Map.of("app_env", "prod"), c.budgets().get(0).match());
  }

  @Test
  void processExpiryDefaultsToADayAndMustOutliveTenIntervals() throws Exception {
    ExporterConfig c =
        loader.parse(
            "sources: { vllm: [ { name: a, url: \"http://x:1/metrics\" }, { name: b, url: \"http://x:2/metrics\", process_expiry: 2h } ] }");
    assertEquals(Duration.ofHours(24), c.sources().vllm().get(0).processExpiry());
    assertEquals(Duration.ofHours(2), c.sources().vllm().get(1).processExpiry());
    List<String> p =
        problems(
            "sources: { vllm: [ { name: a, url: \"http://x:1/metrics\", interval: 1m, process_expiry: 5m } ] }");
    assertEquals(1, p.size(), p.toString());
    assertTrue(
        p.get(0).startsWith("sources.vllm[0].process_expiry: must be at least 10 intervals (10m)"),
        p.get(0));
  }

  @Test
  void defaultsWithoutAFile() {
    ExporterConfig c = ExporterConfig.defaults();
    assertEquals(":10042", c.server().listen());
    assertEquals(java.time.Duration.ofSeconds(10), c.server().readHeaderTimeout());
    assertEquals("data/aicost.db", c.state().path());
    assertEquals(Duration.ofMinutes(15), c.trailingWindow());
  }

  @Test
  void processMatchingIsOptInPerDeployment() throws Exception {
    ExporterConfig c =
        loader.parse(
            """
        sources:
          vllm:
            - { name: a, url: "http://localhost:8000/metrics", process: { port_owner: true } }
            - { name: b, url: "http://[::1]:8001/metrics", process: { port_owner: true, cmdline: "vllm serve .*qwen" } }
            - { name: c, url: "http://10.0.0.7:8002/metrics", process: { cmdline: "^python3? -m vllm" } }
            - { name: d, url: "http://10.0.0.8:8002/metrics" }
        """);
    List<VllmSourceConfig> v = c.sources().vllm();
    assertEquals(new ProcessMatchConfig(true, null), v.get(0).process());
    assertEquals(new ProcessMatchConfig(true, "vllm serve .*qwen"), v.get(1).process());
    assertEquals("^python3? -m vllm", v.get(2).process().cmdline());
    assertTrue(v.get(2).matchesProcesses());
    assertEquals(null, v.get(3).process());
    assertTrue(!v.get(3).matchesProcesses());
    loader.parse(
        "sources: { vllm: [ { name: a, url: 'http://0.0.0.0:8000/metrics', process: { port_owner: true } } ] }");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "sources: { vllm: [ { name: a, url: 'http://h/metrics' }, { name: b, url: 'not a url' } ] }|sources.vllm[1].url: not an http(s) URL",
        "sources: { vllm: [ { name: a, url: 'http://h/metrics', interval: fast } ] }|sources.vllm[0].interval: must be a duration",
        "sources: { vllm: [ { name: a, url: 'http://h/metrics', intervall: 5s } ] }|sources.vllm[0].intervall: unknown key",
        "sources: { vllm: [ { url: 'http://h/metrics' } ] }|sources.vllm[0].name: required",
        "sources: { vllm: [ { name: a, url: 'http://h/m' }, { name: a, url: 'http://h/m' } ] }|sources.vllm[1].name: duplicate",
        "sources: { vllm: [ { name: a, url: 'http://h/m', gpu_count: many } ] }|sources.vllm[0].gpu_count:",
        "sources: { vllm: [ { name: a, url: 'http://h/m', gpu_count: -1 } ] }|sources.vllm[0].gpu_count: must be between",
        "sources: { vllm: [ { name: a, url: 'http://h/m', gpus: [ abc ] } ] }|sources.vllm[0].gpus[0]: must be a GPU UUID",
        "sources: { vllm: [ { name: a, url: 'http://127.0.0.1:8000/metrics', process: { cmdline: 'vllm(' } } ] }|sources.vllm[0].process.cmdline: not a valid regular expression: ",
        "sources: { vllm: [ { name: a, url: 'http://127.0.0.1:8000/metrics', process: { cmdline: '' } } ] }|sources.vllm[0].process.cmdline: must not be empty",
        "sources: { vllm: [ { name: a, url: 'http://127.0.0.1:8000/metrics', process: {} } ] }|sources.vllm[0].process: needs port_owner: true or cmdline",
        "sources: { vllm: [ { name: a, url: 'http://127.0.0.1:8000/metrics', process: { port_owner: false } } ] }|sources.vllm[0].process: needs port_owner: true or cmdline",
        "sources: { vllm: [ { name: a, url: 'http://gpu-box-7.example:8000/metrics', process: { port_owner: true } } ] }|sources.vllm[0].process.port_owner: the url's host must be local",
        "sources: { vllm: [ { name: a, url: 'http://127.0.0.1:8000/metrics', process: { pid: 12 } } ] }|sources.vllm[0].process.pid: unknown key",
        "sources: { vllm: [ { name: a, url: 'http://127.0.0.1:8000/metrics', process: { port_owner: maybe } } ] }|sources.vllm[0].process.port_owner:",
        "sources: { nvml: { enabled: maybe } }|sources.nvml.enabled: must be auto, true or false",
        "sources: { bedrok: {} }|sources.bedrok: unknown key",
        "server: { listen: 'localhost' }|server.listen: must be host:port",
        "timezone: Mars/Olympus|timezone: unknown time zone",
        "attribution: { rules: [ { match: { deployment: x }, set: { squad: a } } ] }|attribution.rules[0].set.squad: unknown tag",
        "attribution: { rules: [ { set: { team: a } } ] }|attribution.rules[0].match: must name at least one",
        "attribution: { rules: [ { match: { deployment: }, set: { team: a } } ] }|attribution.rules[0].match.deployment: must be a string",
        "attribution: { rules: [ { match: { deployment: x }, set: { team: } } ] }|attribution.rules[0].set.team: must be a string",
        "budgets: [ { name: org, match: { team: }, monthly_usd: 5 } ]|budgets[0].match.team: must be a string",
        "pricing: { aliases: { gpt4: } }|pricing.aliases.gpt4: needs a target model",
        "pricing: { gpus: [ { match: { name: }, hourly_usd: 2 } ] }|pricing.gpus[0].match: needs a name",
        "budgets: [ { name: org } ]|budgets[0].monthly_usd: required",
        "budgets: [ { name: org, match: { teem: a }, monthly_usd: 5 } ]|budgets[0].match.teem: not a label of aicost_spend_usd",
        "state: { retention: 30d }|state.retention: must be at least 45d",
        "limits: { max_scrape_bytes: lots }|limits.max_scrape_bytes: must be a size",
        "pricing: { models: [ { provider: openai, model: x, input: -1 } ] }|pricing.models[0].input",
        "pricing: { models: [ { provider: openai, model: x, input: 1, effective_from: yesterday } ] }|pricing.models[0].effective_from: must be a date",
        "trailing_window: 0s|trailing_window: must be at least 1s",
        "'server: { read_header_timeout: 10ms }'|server.read_header_timeout: must be at least 100ms",
      })
  void everyProblemNamesItsPath(String yaml, String expected) {
    List<String> p = problems(yaml);
    assertTrue(
        p.stream().anyMatch(s -> s.startsWith(expected)),
        "expected a problem starting with <" + expected + "> in " + p);
  }

  @Test
  void validatorReportsEveryProblemAtOnce() {
    List<String> p =
        problems(
            """
        sources:
          vllm:
            - { name: "bad name!", url: "ftp://x" }
        budgets: [ { name: b, monthly_usd: 0 } ]
        """);
    assertEquals(3, p.size(), p.toString());
  }

  @Test
  void emptyListEntriesAreReportedByPathNotAsACrash() {
    List<String> p =
        problems(
            """
        sources:
          vllm:
            - { name: a, url: "http://127.0.0.1:8000/metrics", gpus: [~] }
            - ~
        attribution: { rules: [ ~ ] }
        budgets: [ ~ ]
        pricing: { files: [ ~ ], models: [ ~ ], gpus: [ ~ ] }
        """);
    assertEquals(
        List.of(
            "pricing.files[0]: must be a path or an http(s) URL",
            "pricing.models[0]: must be a mapping",
            "pricing.gpus[0]: must be a mapping",
            "attribution.rules[0]: must be a mapping with match and set",
            "sources.vllm[0].gpus[0]: must be a GPU UUID as NVML reports it (GPU-... or MIG-...)",
            "sources.vllm[1]: must be a mapping with name and url",
            "budgets[0]: must be a mapping with name and monthly_usd"),
        p);
  }

  @Test
  void aFileThatLoadsAsEmptyIsRefused() {
    // an empty or truncated file would otherwise stop every source on reload
    for (String yaml :
        List.of("", "   \n", "# all commented out\n# sources: ...\n", "---\n", "~\n")) {
      List<String> p = problems(yaml);
      assertEquals(
          List.of(
              "configuration: the file is empty (an empty configuration would stop every source)"),
          p,
          "<" + yaml + ">");
    }
  }

  @Test
  void aFileCutOffAfterASectionKeyIsRefused() {
    assertEquals(
        List.of("sources: has no value (remove the key or give it one)"),
        problems("state: { path: /tmp/x.db }\nsources:\n"));
  }

  @Test
  void typeErrorsDoNotHideOtherProblems() {
    List<String> p =
        problems(
            """
        sources:
          vllm:
            - { name: a, url: nope, gpu_count: "four", interval: 1x, colour: red }
            - { name: b, url: "http://127.0.0.1:8000/metrics", gpus: { x: 1 } }
        budgets: [ { name: org, monthly_usd: lots } ]
        limits: { max_series_per_metric: -1 }
        timezone: Mars/Olympus
        """);
    assertEquals(
        List.of(
            "sources.vllm[0].gpu_count: must be an integer, got \"four\"",
            "sources.vllm[0].interval: must be a duration like 15s, 5m or 1h30m",
            "sources.vllm[0].colour: unknown key (known keys: gpu_count, gpu_hourly_usd, gpu_name, gpus, interval, name, process, process_expiry, timeout, url)",
            "sources.vllm[1].gpus: expected a list",
            "budgets[0].monthly_usd: must be a number, got \"lots\"",
            "timezone: unknown time zone \"Mars/Olympus\" (use an IANA name like Europe/Berlin)",
            "sources.vllm[0].url: not an http(s) URL: \"nope\"",
            "limits.max_series_per_metric: must be >= 1"),
        p);
  }

  @Test
  void credentialsInUrlsNeverReachAMessage() {
    List<String> p =
        problems(
            """
        sources:
          vllm:
            - { name: a, url: "ftp://scraper:hunter2@gpu-box:8000/metrics" }
            - { name: b, url: "http//scraper:hunter2@gpu-box/metrics" }
            - { name: c, url: "http://tok3n@gpu box/metrics" }
        """);
    assertEquals(3, p.size(), p.toString());
    assertEquals(
        "sources.vllm[0].url: not an http(s) URL: \"ftp://scraper:xxxxx@gpu-box:8000/metrics\"",
        p.get(0));
    for (String s : p) {
      assertTrue(!s.contains("hunter2") && !s.contains("tok3n"), s);
    }
  }

  @Test
  void brokenYamlSaysWhere() {
    List<String> p = problems("sources: { vllm: [ }");
    assertTrue(p.get(0).startsWith("line 1"), p.toString());
  }

  @Test
  void durationsAndSizes() {
    assertEquals(Duration.ofMillis(1500), Durations.parse("1s500ms"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("15"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("s15"));
    assertEquals(16L << 20, DataSize.parse("16MiB").bytes());
    assertEquals(512_000, DataSize.parse("512KB").bytes());
    assertEquals(1024, DataSize.parse("1024").bytes());
  }
}
