package dev.aicost.pricing;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.config.Secrets;
import dev.aicost.httpclient.BodyTooLargeException;
import dev.aicost.httpclient.CappedBody;
import dev.aicost.metrics.LabelValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads LiteLLM's {@code model_prices_and_context_window.json} (one object keyed by model id, costs
 * in USD per ONE token) from a path or an http(s) URL, so users can keep prices current without a
 * release of ours.
 *
 * <p>Read per entry: the four standard per-token prices, the one-hour cache write ({@code
 * cache_creation_input_token_cost_above_1hr}), and the tiers: {@code *_batches} (batch), {@code
 * *_flex}, {@code *_priority} and {@code *_above_200k_tokens} (long context). LiteLLM's {@code
 * bedrock} and {@code bedrock_converse} providers become {@code aws}; every other provider keeps
 * its LiteLLM name (so {@code azure} prices never stand in for {@code openai} ones).
 *
 * <p>Keys with a provider path ({@code gemini/gemini-2.5-pro}, {@code azure/gpt-4o}, {@code
 * bedrock/anthropic.claude-...}) are stored without it, so the model names sources report match;
 * {@code bedrock/<region>/<model>} becomes a row for that region. Where the same model appears with
 * and without the path, the entry without it wins.
 */
public final class LiteLlmPriceFile {
  public static final long DEFAULT_MAX_BYTES = 32L * 1024 * 1024;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  static final String SOURCE = LabelValues.PRICE_FILE;

  private static final Logger log = LoggerFactory.getLogger(LiteLlmPriceFile.class);
  private static final String SAMPLE_SPEC = "sample_spec";
  private static final java.util.regex.Pattern AWS_REGION =
      java.util.regex.Pattern.compile("^[a-z]{2}(-gov)?-[a-z]+-\\d$");
  private static final Map<String, String> PROVIDERS =
      Map.of(
          "openai",
          "openai",
          "anthropic",
          "anthropic",
          "bedrock",
          "aws",
          "bedrock_converse",
          "aws");

  private final OkHttpClient http;
  private final long maxBytes;
  private final ObjectMapper mapper = new ObjectMapper();

  public LiteLlmPriceFile(OkHttpClient http) {
    this(http, DEFAULT_TIMEOUT, DEFAULT_MAX_BYTES);
  }

  /**
   * @param timeout bound on the whole download (connect, redirects, body)
   * @param maxBytes larger files are refused: the real file is ~1.5 MB, a huge one is a wrong URL
   */
  public LiteLlmPriceFile(OkHttpClient http, Duration timeout, long maxBytes) {
    this.http = http.newBuilder().callTimeout(timeout).build();
    this.maxBytes = maxBytes;
  }

  /** Reads every token price in {@code location}; bad entries are skipped and counted. */
  public LoadedPrices load(String location) throws PriceFileException {
    byte[] bytes = isUrl(location) ? fetch(location) : read(location);
    JsonNode root;
    try {
      root = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new PriceFileException(
          "price file " + location + ": not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new PriceFileException("price file " + location + ": cannot parse: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new PriceFileException(
          "price file " + location + ": expected a JSON object keyed by model id");
    }
    LoadedPrices loaded = parse(location, root);
    if (loaded.prices().isEmpty()) {
      throw new PriceFileException(
          "price file "
              + location
              + ": no per-token prices found (is it a LiteLLM model_prices_and_context_window.json?)");
    }
    log.info(
        "event=price_file_loaded file={} prices={} malformed={} without_token_price={}",
        Secrets.redact(location),
        loaded.prices().size(),
        loaded.malformed(),
        loaded.withoutTokenPrice());
    return loaded;
  }

  private LoadedPrices parse(String location, JsonNode root) {
    Map<List<String>, TokenPrice> prices = new java.util.LinkedHashMap<>();
    java.util.Set<List<String>> fromPlainKey = new java.util.HashSet<>();
    List<String> malformedKeys = new ArrayList<>();
    int withoutTokenPrice = 0;
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(SAMPLE_SPEC)) continue;
      try {
        TokenPrice price = toPrice(field.getKey(), field.getValue());
        if (!price.hasAnyPrice()) {
          withoutTokenPrice++;
          continue;
        }
        List<String> key = List.of(price.provider(), price.model(), price.region());
        boolean plain = price.model().equals(field.getKey().trim().toLowerCase(Locale.ROOT));
        if (plain) fromPlainKey.add(key);
        if (plain || !fromPlainKey.contains(key)) prices.put(key, price);
      } catch (MalformedEntry e) {
        malformedKeys.add(field.getKey());
        log.debug(
            "event=price_entry_malformed file={} model={} reason=\"{}\"",
            Secrets.redact(location),
            field.getKey(),
            e.getMessage());
      }
    }
    if (!malformedKeys.isEmpty()) {
      log.warn(
          "event=price_file_entries_skipped file={} malformed={} first=\"{}\"",
          Secrets.redact(location),
          malformedKeys.size(),
          String.join(",", malformedKeys.subList(0, Math.min(3, malformedKeys.size()))));
    }
    return new LoadedPrices(
        location, List.copyOf(prices.values()), malformedKeys.size(), withoutTokenPrice);
  }

  private static TokenPrice toPrice(String key, JsonNode entry) throws MalformedEntry {
    if (key.isBlank()) throw new MalformedEntry("empty model id");
    if (!entry.isObject()) throw new MalformedEntry("entry is not an object");
    JsonNode providerNode = entry.get("litellm_provider");
    if (providerNode == null || !providerNode.isTextual() || providerNode.asText().isBlank()) {
      throw new MalformedEntry("litellm_provider missing or not a string");
    }
    String litellmProvider = providerNode.asText().trim().toLowerCase(Locale.ROOT);
    String provider = PROVIDERS.getOrDefault(litellmProvider, litellmProvider);
    String model = key.trim().toLowerCase(Locale.ROOT);
    String region = "";
    // "gemini/gemini-2.5-pro", "bedrock/us-east-1/anthropic.x": the path names the provider (and
    // a Bedrock region), not the model a source reports
    int slash = model.indexOf('/');
    if (slash > 0 && isProviderPath(model.substring(0, slash), litellmProvider, provider)) {
      model = model.substring(slash + 1);
      int next = model.indexOf('/');
      if ("aws".equals(provider)
          && next > 0
          && AWS_REGION.matcher(model.substring(0, next)).matches()) {
        region = model.substring(0, next);
        model = model.substring(next + 1);
      }
    }
    if (model.isBlank()) throw new MalformedEntry("empty model id after the provider path");
    Map<String, Rates> tiers = new java.util.LinkedHashMap<>();
    putTier(tiers, PriceScope.BATCH, rates(entry, "_batches", "_batches", "_batches", null));
    putTier(tiers, PriceScope.FLEX, rates(entry, "_flex", "_flex", "_flex", null));
    putTier(tiers, PriceScope.PRIORITY, rates(entry, "_priority", "_priority", "_priority", null));
    putTier(
        tiers,
        PriceScope.LONG_CONTEXT,
        rates(
            entry,
            "_above_200k_tokens",
            "_above_200k_tokens",
            "_above_200k_tokens",
            "_above_200k_tokens"));
    return new TokenPrice(
        cost(entry, "input_cost_per_token"),
        cost(entry, "cache_read_input_token_cost"),
        cost(entry, "cache_creation_input_token_cost"),
        cost(entry, "output_cost_per_token"),
        SOURCE,
        provider,
        model,
        TokenPrice.ALWAYS,
        cost(entry, "cache_creation_input_token_cost_above_1hr"),
        tiers,
        region,
        "",
        null);
  }

  private static boolean isProviderPath(String segment, String litellmProvider, String provider) {
    return segment.equals(litellmProvider)
        || segment.equals(provider)
        || ("aws".equals(provider) && segment.startsWith("bedrock"));
  }

  /**
   * A tier's rates from LiteLLM's suffixed fields; null when the entry lists none. A long-context
   * tier without its own cache-write field has none (never the standard one).
   */
  private static Rates rates(
      JsonNode entry, String inSuffix, String readSuffix, String outSuffix, String writeSuffix)
      throws MalformedEntry {
    Rates r =
        new Rates(
            cost(entry, "input_cost_per_token" + inSuffix),
            cost(entry, "cache_read_input_token_cost" + readSuffix),
            writeSuffix == null
                ? null
                : cost(entry, "cache_creation_input_token_cost" + writeSuffix),
            null,
            cost(entry, "output_cost_per_token" + outSuffix));
    return r.hasAnyRate() ? r : null;
  }

  private static void putTier(Map<String, Rates> tiers, String name, Rates r) {
    if (r != null) tiers.put(name, r);
  }

  private static Double cost(JsonNode entry, String field) throws MalformedEntry {
    JsonNode n = entry.get(field);
    if (n == null || n.isNull()) return null;
    if (!n.isNumber()) throw new MalformedEntry(field + " is not a number");
    double v = n.doubleValue();
    if (!Double.isFinite(v) || v < 0)
      throw new MalformedEntry(field + " must be a finite number >= 0");
    return v;
  }

  static boolean isUrl(String location) {
    String l = location.toLowerCase(Locale.ROOT);
    return l.startsWith("http://") || l.startsWith("https://");
  }

  private byte[] read(String location) throws PriceFileException {
    try {
      Path path = Path.of(location);
      long size = Files.size(path);
      if (size > maxBytes) throw tooLarge(location);
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new PriceFileException("price file " + location + ": no such file");
    } catch (InvalidPathException e) {
      throw new PriceFileException("price file " + location + ": not a valid path or http(s) URL");
    } catch (IOException e) {
      throw new PriceFileException("price file " + location + ": cannot read: " + e);
    }
  }

  private byte[] fetch(String url) throws PriceFileException {
    Request request;
    try {
      okhttp3.HttpUrl parsed = okhttp3.HttpUrl.get(url);
      Request.Builder b =
          new Request.Builder()
              .url(parsed.newBuilder().username("").password("").build())
              .header("Accept", "application/json")
              .get();
      // user:password@ in the URL is basic auth, as for vLLM; OkHttp would otherwise drop it
      // silently
      if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
        b.header(
            "Authorization",
            okhttp3.Credentials.basic(
                parsed.username(), parsed.password(), java.nio.charset.StandardCharsets.UTF_8));
      }
      request = b.build();
    } catch (IllegalArgumentException e) {
      throw new PriceFileException("price file " + url + ": not a valid URL");
    }
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new PriceFileException("price file " + url + ": HTTP " + response.code());
      }
      return CappedBody.read(response, maxBytes).toByteArray();
    } catch (BodyTooLargeException e) {
      throw tooLarge(url);
    } catch (IOException e) {
      throw new PriceFileException("price file " + url + ": download failed: " + e);
    }
  }

  private PriceFileException tooLarge(String location) {
    return new PriceFileException(
        "price file " + location + ": larger than " + maxBytes + " bytes");
  }

  /** One entry with the wrong shape; never escapes this class. */
  private static final class MalformedEntry extends Exception {
    MalformedEntry(String message) {
      super(message, null, false, false);
    }
  }
}
