package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiteLlmPriceFileTest {
  private final LiteLlmPriceFile reader = new LiteLlmPriceFile(new OkHttpClient());
  private HttpServer server;

  @TempDir Path dir;

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  /**
   * Serves {@code body} with {@code status} at /prices.json on a free local port; returns the URL.
   */
  private String serve(int status, byte[] body) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/prices.json",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/prices.json";
  }

  private static byte[] fixtureBytes() throws IOException {
    return Files.readAllBytes(Path.of(PriceCatalogTest.fixture()));
  }

  private static void assertFixture(LoadedPrices loaded) {
    // keyed by provider too: "azure/gpt-4o" is azure's gpt-4o, stored without its provider path
    Map<String, TokenPrice> byModel =
        loaded.prices().stream()
            .collect(
                Collectors.toMap(
                    p -> p.provider().equals("azure") ? "azure/" + p.model() : p.model(),
                    Function.identity()));
    assertEquals(7, loaded.prices().size(), byModel.keySet().toString());
    assertEquals(2, loaded.malformed());
    assertEquals(1, loaded.withoutTokenPrice());
    assertFalse(byModel.containsKey("sample_spec"));

    TokenPrice gpt4o = byModel.get("gpt-4o");
    assertEquals("openai", gpt4o.provider());
    assertEquals("file", gpt4o.source());
    assertEquals(2e-6, gpt4o.input());
    assertEquals(1e-6, gpt4o.cacheRead());
    assertNull(gpt4o.cacheWrite());
    assertEquals(8e-6, gpt4o.output());
    assertEquals(TokenPrice.ALWAYS, gpt4o.effectiveFrom());

    assertEquals("azure", byModel.get("azure/gpt-4o").provider());
    assertEquals("gpt-4o", byModel.get("azure/gpt-4o").model());
    assertEquals("anthropic", byModel.get("claude-3-5-haiku-20241022").provider());
    assertEquals(1e-6, byModel.get("claude-3-5-haiku-20241022").cacheWrite());
    assertEquals("aws", byModel.get("anthropic.claude-3-5-sonnet-20241022-v2:0").provider());
    assertEquals("aws", byModel.get("us.anthropic.claude-3-7-sonnet-20250219-v1:0").provider());
    assertEquals("aws", byModel.get("amazon.nova-micro-v1:0").provider());
  }

  @Test
  void credentialsInTheUrlAreSentAsBasicAuthAndNeverShown() throws Exception {
    String url = serve(200, fixtureBytes());
    server.removeContext("/prices.json");
    server.createContext(
        "/prices.json",
        exchange -> {
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          boolean ok =
              ("Basic "
                      + java.util.Base64.getEncoder()
                          .encodeToString("prices:s3cret".getBytes(StandardCharsets.UTF_8)))
                  .equals(auth);
          byte[] body = ok ? fixtureBytes() : new byte[0];
          exchange.sendResponseHeaders(ok ? 200 : 401, body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    String withSecret = url.replace("http://", "http://prices:s3cret@");
    assertFixture(reader.load(withSecret));

    String wrong = url.replace("http://", "http://prices:wr0ng@");
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(log, true, StandardCharsets.UTF_8));
    PriceCatalog catalog;
    try {
      catalog =
          PriceCatalog.load(
              new dev.aicost.config.PricingConfig(
                  null, java.util.List.of(wrong), null, null, null, null),
              reader);
    } finally {
      System.setErr(err);
    }
    assertEquals(1, catalog.problems().size());
    String problem = catalog.problems().get(0);
    assertTrue(problem.contains("prices:xxxxx@127.0.0.1") && problem.contains("HTTP 401"), problem);
    String logged = log.toString(StandardCharsets.UTF_8);
    assertTrue(logged.contains("event=price_file_failed"), logged);
    assertFalse(problem.contains("wr0ng") || logged.contains("wr0ng"), problem + logged);
  }

  @Test
  void readsFixtureFromFile() throws Exception {
    assertFixture(reader.load(PriceCatalogTest.fixture()));
  }

  @Test
  void readsFixtureOverHttp() throws Exception {
    String url = serve(200, fixtureBytes());
    LoadedPrices loaded = reader.load(url);
    assertEquals(url, loaded.location());
    assertFixture(loaded);
  }

  @Test
  void httpErrorNamesTheUrlAndStatus() throws Exception {
    String url = serve(404, "not here".getBytes(StandardCharsets.UTF_8));
    PriceFileException e = assertThrows(PriceFileException.class, () -> reader.load(url));
    assertEquals("price file " + url + ": HTTP 404", e.getMessage());
  }

  @Test
  void refusesBodiesOverTheSizeCap() throws Exception {
    String url = serve(200, fixtureBytes());
    LiteLlmPriceFile small = new LiteLlmPriceFile(new OkHttpClient(), Duration.ofSeconds(5), 100);
    PriceFileException e = assertThrows(PriceFileException.class, () -> small.load(url));
    assertEquals("price file " + url + ": larger than 100 bytes", e.getMessage());
    assertThrows(PriceFileException.class, () -> small.load(PriceCatalogTest.fixture()));
  }

  @Test
  void unreachableServerIsAClearError() throws Exception {
    String url = serve(200, fixtureBytes());
    server.stop(0);
    server = null;
    PriceFileException e = assertThrows(PriceFileException.class, () -> reader.load(url));
    assertTrue(
        e.getMessage().startsWith("price file " + url + ": download failed"), e.getMessage());
  }

  @Test
  void brokenJsonNamesFileAndPosition() throws Exception {
    Path file = dir.resolve("prices.json");
    Files.writeString(file, "{\n  \"gpt-4o\": {\"input_cost_per_token\": 1e-6,,}\n}");
    PriceFileException e =
        assertThrows(PriceFileException.class, () -> reader.load(file.toString()));
    assertTrue(
        e.getMessage().startsWith("price file " + file + ": not valid JSON at line 2"),
        e.getMessage());
    assertFalse(e.getMessage().contains("\tat "), "no stack trace in the message");
  }

  @Test
  void wrongShapesAreClearErrors() throws Exception {
    Path array = dir.resolve("array.json");
    Files.writeString(array, "[1, 2]");
    assertEquals(
        "price file " + array + ": expected a JSON object keyed by model id",
        assertThrows(PriceFileException.class, () -> reader.load(array.toString())).getMessage());

    Path noPrices = dir.resolve("empty.json");
    Files.writeString(noPrices, "{\"sample_spec\": {}}");
    assertTrue(
        assertThrows(PriceFileException.class, () -> reader.load(noPrices.toString()))
            .getMessage()
            .contains("no per-token prices found"));

    assertEquals(
        "price file " + dir.resolve("missing.json") + ": no such file",
        assertThrows(
                PriceFileException.class, () -> reader.load(dir.resolve("missing.json").toString()))
            .getMessage());
  }

  @Test
  void negativeCostIsMalformedNotFatal() throws Exception {
    Path file = dir.resolve("neg.json");
    Files.writeString(
        file,
        """
        {"a": {"litellm_provider": "openai", "input_cost_per_token": -1e-6},
         "b": {"litellm_provider": "openai", "input_cost_per_token": 1e-6, "output_cost_per_token": null},
         "c": "not an object"}
        """);
    LoadedPrices loaded = reader.load(file.toString());
    assertEquals(1, loaded.prices().size());
    assertNull(loaded.prices().get(0).output());
    assertEquals(2, loaded.malformed());
  }
}
